package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.link.KeyRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --request-log}: one JSON line per API request, with the contract's keys, the id the client
 * gave (or one made and answered as {@code x-request-id}), for answers from the backend and from the
 * cache, streamed or not, and for refusals; bodies only with {@code --log-bodies}.
 */
class RequestLogTest {

  private static final List<String> KEYS = List.of("time", "id", "key", "key_id", "model", "backend_model", "route",
      "dialect_in", "dialect_out", "stream", "status", "cache", "latency_ms", "ttft_ms", "prompt_tokens",
      "completion_tokens", "bytes_in", "bytes_out", "client", "retries", "error");
  private static final String CHAT = """
      {"model":"fake-llama","stream":true,"messages":[{"role":"user","content":"one two three"}]}""";

  @TempDir Path dir;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(5));
  private BridgeServer bridge;

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    backend.close();
  }

  @Test
  void eachRequestIsOneLineWithItsOutcomeAndTheIdTheClientSeesToo() throws Exception {
    Path log = dir.resolve("logs/requests/a.jsonl");
    bridge = TestBridges.inFrontOf(backend, "--enable-cache", "--cache-dir", dir.resolve("cache").toString(),
        "--client-key", "secret-key", "--request-log", log.toString());
    String bearer = "Bearer secret-key";

    String missId;
    try (Response miss = TestBridges.post(bridge, "/api/chat", CHAT, "Authorization", bearer, "X-Request-Id", "trace-1")) {
      assertThat(miss.code()).isEqualTo(200);
      missId = miss.header("x-request-id");
      miss.body().string();
    }
    Response hit = TestBridges.post(bridge, "/api/chat", CHAT, "Authorization", bearer, "X-Request-Id", "bad id!");
    String hitId = hit.header("x-request-id");
    TestBridges.body(hit);
    Response openAi = TestBridges.post(bridge, "/v1/chat/completions", """
        {"model":"fake-llama","messages":[{"role":"user","content":"four five"}]}""", "Authorization", bearer);
    String openAiId = openAi.header("x-request-id");
    TestBridges.body(openAi);
    Response unknown = TestBridges.post(bridge, "/api/chat", """
        {"model":"no-such-model","stream":false,"messages":[{"role":"user","content":"six"}]}""", "Authorization", bearer);
    assertThat(unknown.code()).isEqualTo(404);
    TestBridges.body(unknown);
    Response refused = TestBridges.post(bridge, "/api/chat", CHAT);
    String refusedId = refused.header("x-request-id");
    assertThat(refused.code()).isEqualTo(401);
    TestBridges.body(refused);

    Map<String, JsonNode> lines = await().atMost(Duration.ofSeconds(30)).until(() -> lines(log), found -> found.size() == 5)
        .stream().collect(Collectors.toMap(line -> line.path("id").asText(), Function.identity()));

    assertThat(missId).isEqualTo("trace-1");
    assertThat(hitId).as("an id unfit for a log is replaced").matches("[0-9a-f]{32}");
    assertThat(openAiId).matches("[0-9a-f]{32}").isNotEqualTo(hitId);
    assertThat(refusedId).matches("[0-9a-f]{32}");
    assertThat(lines).containsKeys("trace-1", hitId, openAiId, refusedId);
    lines.values().forEach(line -> assertThat(fieldNames(line)).as(line.toString()).containsExactlyElementsOf(KEYS));

    JsonNode miss = lines.get("trace-1");
    assertThat(miss.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(miss.path("route").asText()).isEqualTo("/api/chat");
    assertThat(miss.path("model").asText()).isEqualTo("fake-llama");
    assertThat(miss.path("backend_model").asText()).isEqualTo("fake-llama");
    assertThat(miss.path("dialect_in").asText()).isEqualTo("ollama");
    assertThat(miss.path("dialect_out").asText()).isEqualTo("ollama");
    assertThat(miss.path("stream").asBoolean()).isTrue();
    assertThat(miss.path("status").asInt()).isEqualTo(200);
    assertThat(miss.path("cache").asText()).isEqualTo("miss");
    assertThat(miss.path("ttft_ms").isNumber()).isTrue();
    assertThat(miss.path("latency_ms").asLong()).isGreaterThanOrEqualTo(miss.path("ttft_ms").asLong());
    assertThat(miss.path("completion_tokens").asLong()).isEqualTo(5);
    assertThat(miss.path("bytes_in").asLong()).isEqualTo(CHAT.length());
    assertThat(miss.path("bytes_out").asLong()).isPositive();
    assertThat(miss.path("client").asText()).isEqualTo("127.0.0.1");
    assertThat(miss.path("retries").asInt()).isZero();
    assertThat(miss.path("error").isNull()).isTrue();
    assertThat(miss.path("key").isNull()).as("an instance's --client-key has no name").isTrue();

    JsonNode cached = lines.get(hitId);
    assertThat(cached.path("cache").asText()).isEqualTo("hit");
    assertThat(cached.path("status").asInt()).isEqualTo(200);
    assertThat(cached.path("ttft_ms").isNumber()).isTrue();
    assertThat(cached.path("bytes_out").asLong()).isPositive();

    JsonNode whole = lines.get(openAiId);
    assertThat(whole.path("route").asText()).isEqualTo("/v1/chat/completions");
    assertThat(whole.path("dialect_in").asText()).isEqualTo("openai");
    assertThat(whole.path("dialect_out").asText()).isEqualTo("ollama");
    assertThat(whole.path("stream").asBoolean()).isFalse();
    assertThat(whole.path("status").asInt()).isEqualTo(200);

    JsonNode notFound = lines.values().stream().filter(line -> line.path("status").asInt() == 404).findFirst().orElseThrow();
    assertThat(notFound.path("model").asText()).isEqualTo("no-such-model");
    assertThat(notFound.path("error").asText()).contains("no-such-model");

    JsonNode unauthorized = lines.get(refusedId);
    assertThat(unauthorized.path("status").asInt()).isEqualTo(401);
    assertThat(unauthorized.path("error").asText()).isNotBlank().doesNotContain("secret-key");
    assertThat(unauthorized.path("cache").asText()).isEqualTo("off");

    try (Response noRoute = TestBridges.get(bridge, "/api/no-such-route")) {
      assertThat(noRoute.code()).isEqualTo(404);
      assertThat(noRoute.header("x-request-id")).as("an answer of no route carries an id too").matches("[0-9a-f]{32}");
    }
    assertThat(Files.readString(log)).as("no bodies without --log-bodies").doesNotContain("one two three")
        .doesNotContain("request_body");
    assertThat(Files.getPosixFilePermissions(log)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void aClusterKeysRequestIsLoggedUnderItsNameAndIdAndARefusalNamesTheModelAndNeverTheSecret() throws Exception {
    String secret = "ob-" + "k".repeat(43);
    Path keys = dir.resolve("client-keys.json");
    KeyFiles.write(keys, true, new KeyRule("k1", "reporting app", Sha256.hex(secret), List.of("fake-llama"), 0, 0, null,
        true, false));
    Path log = dir.resolve("requests.jsonl");
    bridge = TestBridges.inFrontOf(backend, "--client-keys-file", keys.toString(), "--request-log", log.toString());

    TestBridges.body(TestBridges.post(bridge, "/api/chat", CHAT, "Authorization", "Bearer " + secret));
    Response forbidden = TestBridges.post(bridge, "/v1/chat/completions", """
        {"model":"other-model","messages":[{"role":"user","content":"hi"}]}""", "Authorization", "Bearer " + secret);
    assertThat(forbidden.code()).isEqualTo(403);
    TestBridges.body(forbidden);

    List<JsonNode> lines = await().atMost(Duration.ofSeconds(30)).until(() -> lines(log), found -> found.size() == 2);
    assertThat(lines).allSatisfy(line -> {
      assertThat(line.path("key").asText()).isEqualTo("reporting app");
      assertThat(line.path("key_id").asText()).isEqualTo("k1");
    });
    assertThat(lines.get(1).path("status").asInt()).isEqualTo(403);
    assertThat(lines.get(1).path("error").asText()).contains("other-model");
    assertThat(Files.readString(log)).doesNotContain(secret).doesNotContain(Sha256.hex(secret));
    assertThat(TestBridges.body(TestBridges.get(bridge, "/metrics"))).contains("bridge_request_log_dropped_total 0.0");
  }

  @Test
  void aBackendThatIsDownShowsTheRetriesAndTheErrorInTheLine() throws Exception {
    try (FakeOllama down = FakeOllama.start(FakeOllama.Options.defaults().withControlRoutes(true))) {
      TestBridges.body(TestBridges.execute(new okhttp3.Request.Builder().url(down.baseUrl() + "/_fake/faults")
          .post(okhttp3.RequestBody.create("{\"down\":true}", okhttp3.MediaType.get("application/json"))).build()));
      Path log = dir.resolve("requests.jsonl");
      bridge = TestBridges.inFrontOf(down, "--retries", "2", "--request-log", log.toString());

      Response failed = TestBridges.post(bridge, "/v1/chat/completions", """
          {"model":"fake-llama","messages":[{"role":"user","content":"hi"}]}""");
      assertThat(failed.code()).isGreaterThanOrEqualTo(500);
      TestBridges.body(failed);

      JsonNode line = await().atMost(Duration.ofSeconds(30)).until(() -> lines(log), found -> found.size() == 1).get(0);
      assertThat(line.path("retries").asInt()).isEqualTo(2);
      assertThat(line.path("status").asInt()).isEqualTo(failed.code());
      assertThat(line.path("error").asText()).isNotBlank();
      assertThat(line.path("ttft_ms").isNull()).isTrue();
    }
  }

  @Test
  void withLogBodiesALineCarriesTheRequestAndTheAnswer() throws Exception {
    Path log = dir.resolve("requests.jsonl");
    bridge = TestBridges.inFrontOf(backend, "--request-log", log.toString(), "--log-bodies");

    String answer = TestBridges.json(TestBridges.post(bridge, "/api/chat", """
        {"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"one two three"}]}"""))
        .path("message").path("content").asText();

    JsonNode line = await().atMost(Duration.ofSeconds(30)).until(() -> lines(log), found -> found.size() == 1).get(0);
    assertThat(fieldNames(line)).endsWith("error", "request_body", "response_body");
    assertThat(line.path("request_body").asText()).contains("one two three");
    assertThat(line.path("response_body").asText()).contains(answer);
  }

  private static List<String> fieldNames(JsonNode line) {
    List<String> names = new ArrayList<>();
    line.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<JsonNode> lines(Path log) {
    try {
      return Files.exists(log) ? Files.readAllLines(log).stream().map(TestBridges::json).toList() : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
