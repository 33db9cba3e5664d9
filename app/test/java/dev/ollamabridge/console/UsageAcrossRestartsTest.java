package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.Main;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.link.KeyRule;
import dev.ollamabridge.link.KeyRules;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through real processes: a bridge with the cluster's client keys, in front of the fake backend,
 * read by a real console. Requests under two keys and two models (and a model the backend does not
 * have: errors) show in {@code GET /api/v1/usage} exactly as sent, after the bridge is killed and
 * started again and after the console is restarted on the same data directory, with requests sent
 * while it was down.
 */
class UsageAcrossRestartsTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(30)).build();
  private static final String SECRET_A = "ob-" + "a".repeat(43);
  private static final String SECRET_B = "ob-" + "b".repeat(43);

  @TempDir Path data;
  @TempDir Path work;
  private FakeOllama backend;
  private Process bridge;
  private ConsoleApp console;
  private int port;
  /** What was sent and answered, by "key model" → [requests, errors]. */
  private final Map<String, long[]> sent = new HashMap<>();

  @AfterEach
  void stop() {
    Teardown.run(() -> kill(bridge), Teardown.closing(console), Teardown.closing(backend));
  }

  @Test
  void usageAfterBridgeAndConsoleRestartsIsTheTrafficSent() throws Exception {
    backend = FakeOllama.start(FakeOllama.Options.defaults().withModels("fake-llama", "fake-qwen"));
    Path keys = work.resolve("client-keys.json");
    Files.writeString(keys, new ObjectMapper().writeValueAsString(new KeyRules(true, List.of(
        new KeyRule("1", "app", Sha256.hex(SECRET_A), List.of(), 0, 0, null, true, false),
        new KeyRule("2", "bob", Sha256.hex(SECRET_B), List.of(), 0, 0, null, true, false)))));
    port = TestPorts.listenPort();
    startConsole(); // first: a bridge that ran before the console counted usage only counts from its first read
    startBridge(keys);
    ConsoleClient.Answer created = api().post("/instances",
        "{\"name\":\"keyed\",\"managed\":false,\"listen_host\":\"127.0.0.1\",\"port\":" + port + "}");
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);

    send(SECRET_A, "1", "fake-llama", 5);
    send(SECRET_B, "2", "fake-qwen", 3);
    send(SECRET_A, "1", "missing-model", 2);
    awaitUsageAsSent("the first bridge's requests");

    kill(bridge);
    startBridge(keys);
    send(SECRET_A, "1", "fake-llama", 4); // fewer than before: only the start time tells the restart
    send(SECRET_B, "2", "fake-llama", 2);
    awaitUsageAsSent("after the bridge was killed and started again");

    console.close();
    send(SECRET_B, "2", "fake-qwen", 6);
    startConsole();
    awaitUsageAsSent("after the console was restarted, with requests sent while it was down");

    JsonNode totals = api().get("/usage").body().path("totals");
    assertThat(totals.path("requests").asLong()).isEqualTo(22);
    assertThat(totals.path("completion_tokens").asLong()).as("the fake backend's answers spent tokens").isPositive();
  }

  private void awaitUsageAsSent(String when) {
    await(when).atMost(PATIENCE).pollInterval(Duration.ofMillis(300))
        .untilAsserted(() -> assertThat(usage()).as(when).isEqualTo(expected()));
  }

  /** The usage the console reports, by "key model" → "requests/errors". */
  private Map<String, String> usage() {
    ConsoleClient.Answer answer = api().get("/usage?group_by=key,model");
    assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(200);
    Map<String, String> usage = new HashMap<>();
    answer.body().path("rows").forEach(row -> usage.put(row.path("key").asText() + " " + row.path("model").asText(),
        row.path("requests").asLong() + "/" + row.path("errors").asLong()));
    return usage;
  }

  private Map<String, String> expected() {
    Map<String, String> expected = new HashMap<>();
    sent.forEach((series, counts) -> expected.put(series, counts[0] + "/" + counts[1]));
    return expected;
  }

  private void send(String secret, String keyId, String model, int times) throws IOException {
    for (int i = 0; i < times; i++) {
      Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/v1/chat/completions")
          .header("Authorization", "Bearer " + secret)
          .post(RequestBody.create("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
              MediaType.get("application/json")))
          .build();
      try (Response response = HTTP.newCall(request).execute()) {
        response.body().string();
        long[] counts = sent.computeIfAbsent(keyId + " " + model, series -> new long[2]);
        counts[0]++;
        if (response.code() >= 400) {
          counts[1]++;
        }
      }
    }
  }

  private void startBridge(Path keys) throws IOException {
    bridge = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "bridge",
        "-l", "127.0.0.1:" + port, "--ollama", backend.baseUrl(), "--client-keys-file", keys.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("bridge.log").toFile()))
        .start();
    Request health = new Request.Builder().url("http://127.0.0.1:" + port + "/health").build();
    await("the bridge answers").atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      assertThat(bridge.isAlive()).as("the bridge runs; its log: " + work.resolve("bridge.log")).isTrue();
      try (Response response = HTTP.newCall(health).execute()) {
        return response.code() == 200;
      }
    });
  }

  private void startConsole() {
    console = TestConsoles.start(data);
    ConsoleClient.Answer quick = api().patch("/settings", "{\"metrics.scrape_interval_ms\":1000}");
    assertThat(quick.status()).as(String.valueOf(quick.body())).isEqualTo(200);
  }

  private ConsoleClient api() {
    return TestConsoles.client(console, data);
  }

  private static void kill(Process process) throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
