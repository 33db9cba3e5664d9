package dev.ollamabridge.bridge;

import static dev.ollamabridge.bridge.KeyFiles.key;
import static dev.ollamabridge.bridge.KeyFiles.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client keys file as the bridge watches it: a change (a key revoked, a key added) takes effect
 * within about a poll, a bad version keeps the keys read last, and a file that was never there
 * refuses every request until it is.
 */
class KeyFileWatchTest {

  private static final String CHAT = """
      {"model":"fake-llama","messages":[{"role":"user","content":"hello"}],"stream":false}""";

  @TempDir Path dir;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4));
  private BridgeServer bridge;

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    backend.close();
  }

  private Path file() {
    return dir.resolve("client-keys.json");
  }

  private BridgeServer bridge() {
    bridge = TestBridges.inFrontOf(backend, "--client-keys-file", file().toString());
    return bridge;
  }

  @Test
  void aRevokedKeyIsRefusedWithinAboutOnePollAndHowLongItTookIsReported() {
    String kept = secret();
    KeyFiles.write(file(), true, key("kept", kept, List.of(), 0, 0));
    bridge();
    List<Long> revocations = new ArrayList<>();
    List<Long> additions = new ArrayList<>();

    for (int round = 0; round < 5; round++) {
      String added = secret();
      long writtenAt = System.nanoTime();
      KeyFiles.write(file(), true, key("kept", kept, List.of(), 0, 0), key("r" + round, added, List.of(), 0, 0));
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> status(added) == 200);
      additions.add((System.nanoTime() - writtenAt) / 1_000_000);

      long revokedAt = System.nanoTime();
      KeyFiles.write(file(), true, key("kept", kept, List.of(), 0, 0));
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> status(added) == 401);
      revocations.add((System.nanoTime() - revokedAt) / 1_000_000);
      assertThat(status(kept)).isEqualTo(200);
    }
    System.out.println("client key revocation took (ms, file written → first 401): " + revocations
        + "; a new key took (ms, file written → first 200): " + additions);
  }

  @Test
  void aMalformedOrOversizedFileKeepsTheKeysReadLast() throws Exception {
    String first = secret();
    KeyFiles.write(file(), true, key("first", first, List.of(), 0, 0));
    bridge();

    KeyFiles.writeText(file(), "{\"required\": true, \"keys\": [");
    awaitKeysError("is not a client keys document");
    assertThat(status(first)).isEqualTo(200);

    KeyFiles.writeText(file(), """
        {"required": true, "keys": [{"id": "x", "name": "x", "sha256": "abc", "models": [],
         "requestsPerMinute": 0, "tokensPerDay": 0, "enabled": true}]}""");
    awaitKeysError("keys[0].sha256 must be 64 lowercase hex characters");
    assertThat(status(first)).isEqualTo(200);

    KeyFiles.writeText(file(), """
        {"required": true, "keys": [{"id": "x", "name": "bell\\u0007", "sha256": "%s", "enabled": true}]}"""
        .formatted("a".repeat(64)));
    awaitKeysError("keys[0].name must be 1 to 200 printable characters");
    assertThat(status(first)).isEqualTo(200);

    Path huge = dir.resolve("huge.tmp");
    try (RandomAccessFile sparse = new RandomAccessFile(huge.toFile(), "rw")) {
      sparse.setLength((16L << 20) + 1);
    }
    Files.move(huge, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    awaitKeysError("over the limit of 16777216");
    assertThat(status(first)).isEqualTo(200);

    String second = secret();
    KeyFiles.write(file(), true, key("second", second, List.of(), 0, 0));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(first) == 401);
    assertThat(status(second)).isEqualTo(200);
    assertThat(keysHealth().path("error").isNull()).isTrue();
    assertThat(keysHealth().path("count").asInt()).isEqualTo(1);
  }

  @Test
  void aFileMissingAtStartRefusesEveryRequestUntilItAppearsThenOutlivesItsRemoval() throws Exception {
    bridge();

    Response ollama = TestBridges.post(bridge, "/api/chat", CHAT);
    assertThat(ollama.code()).isEqualTo(503);
    assertThat(ollama.header("Retry-After")).isEqualTo("1");
    assertThat(TestBridges.json(ollama).path("error").asText()).contains("has not read its client keys yet");
    Response openAi = TestBridges.post(bridge, "/v1/chat/completions", CHAT);
    assertThat(openAi.code()).isEqualTo(503);
    assertThat(TestBridges.json(openAi).at("/error/code").asText()).isEqualTo("keys_unavailable");
    try (Response check = TestBridges.get(bridge, "/key-check")) {
      assertThat(check.code()).isEqualTo(503);
    }
    assertThat(keysHealth().path("required").asBoolean()).isTrue();
    assertThat(keysHealth().path("error").asText()).contains("does not exist yet");
    assertThat(backend.stats().requests()).isZero();

    KeyFiles.write(file(), false);
    await().atMost(Duration.ofSeconds(10)).until(() -> status(null) == 200);
    assertThat(keysHealth().path("required").asBoolean()).isFalse();

    Files.delete(file());
    awaitKeysError("is gone; the keys read last stay in force");
    assertThat(status(null)).isEqualTo(200);
  }

  private void awaitKeysError(String error) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(keysHealth().path("error").asText()).contains(error));
  }

  private JsonNode keysHealth() {
    return TestBridges.json(TestBridges.get(bridge, "/health")).path("keys");
  }

  private int status(String key) {
    String[] headers = key == null ? new String[0] : new String[] {"Authorization", "Bearer " + key};
    try (Response response = TestBridges.post(bridge, "/api/chat", CHAT, headers)) {
      return response.code();
    }
  }
}
