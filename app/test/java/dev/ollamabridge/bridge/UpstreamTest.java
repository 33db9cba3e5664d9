package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the bridge treats its upstream: retries, keys, and where it sends requests. */
class UpstreamTest {

  private static final String CHAT = """
      {"model":"m","stream":false,"messages":[{"role":"user","content":"Hi"}]}""";
  private static final String OLLAMA_ANSWER = """
      {"model":"m","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Hello"},
       "done":true,"done_reason":"stop","prompt_eval_count":1,"eval_count":1}""";

  private static final String STREAMED_CHAT = CHAT.replace("\"stream\":false", "\"stream\":true");
  private static final String FIRST_CHUNK = """
      {"model":"m","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Hel"},"done":false}
      """;
  private static final String LAST_CHUNK = """
      {"model":"m","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"lo"},"done":true,"done_reason":"stop"}
      """;

  private final MockWebServer upstream = new MockWebServer();
  private BridgeServer bridge;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream.start();
  }

  @TempDir Path cacheDir;

  @AfterEach
  void stop() {
    try {
      TestBridges.close(bridge);
    } finally {
      upstream.close();
    }
  }

  @Test
  void a503IsRetriedBeforeTheClientSeesAnything() throws Exception {
    upstream.enqueue(new MockResponse.Builder().code(503).build());
    upstream.enqueue(new MockResponse.Builder().code(502).build());
    upstream.enqueue(ollamaAnswer());
    bridge = TestBridges.start("--ollama", baseUrl(), "--retries", "2");

    Response response = TestBridges.post(bridge, "/api/chat", CHAT);

    assertThat(response.code()).isEqualTo(200);
    assertThat(TestBridges.json(response).at("/message/content").asText()).isEqualTo("Hello");
    assertThat(upstream.getRequestCount()).isEqualTo(3);
    assertThat(TestBridges.body(TestBridges.get(bridge, "/metrics"))).contains("bridge_upstream_retries_total 2.0");
  }

  @Test
  void whenRetriesRunOutTheLastStatusReachesTheClient() {
    for (int i = 0; i < 2; i++) {
      upstream.enqueue(new MockResponse.Builder().code(503).body("{\"error\":\"model is loading\"}").build());
    }
    bridge = TestBridges.start("--ollama", baseUrl(), "--retries", "1");

    Response response = TestBridges.post(bridge, "/api/chat", CHAT);

    assertThat(response.code()).isEqualTo(503);
    assertThat(TestBridges.json(response).path("error").asText()).isEqualTo("model is loading");
    assertThat(upstream.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aRequestTheBackendTakesAsItIsGoesAsTheClientEncodedIt() throws Exception {
    upstream.enqueue(ollamaAnswer());
    upstream.enqueue(ollamaAnswer());
    bridge = TestBridges.start("--ollama", baseUrl(), "--model-alias", "fast=m");
    String spaced = "{ \"model\": \"m\",\n  \"stream\": false, \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}] }";

    TestBridges.body(TestBridges.post(bridge, "/api/chat", spaced));
    TestBridges.body(TestBridges.post(bridge, "/api/chat", spaced.replace("\"m\"", "\"fast\"")));

    assertThat(upstream.takeRequest().getBody().utf8()).as("not parsed and encoded again").isEqualTo(spaced);
    assertThat(upstream.takeRequest().getBody().utf8()).as("an alias renames the model: encoded anew")
        .isEqualTo(CHAT);
  }

  @Test
  void sharedModeSendsTheBridgesKeyWhateverTheClientSent() throws Exception {
    upstream.enqueue(ollamaAnswer());
    bridge = TestBridges.start("--ollama", baseUrl(), "--enable-shared-mode", "--api-key", "your_key");

    TestBridges.body(TestBridges.post(bridge, "/api/chat", CHAT, "Authorization", "Bearer client-own"));

    RecordedRequest request = upstream.takeRequest();
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer your_key");
  }

  @Test
  void withoutSharedModeTheClientsAuthorizationPassesThrough() throws Exception {
    upstream.enqueue(ollamaAnswer());
    bridge = TestBridges.start("--ollama", baseUrl(), "--api-key", "fallback");

    TestBridges.body(TestBridges.post(bridge, "/api/chat", CHAT, "Authorization", "Bearer client-own"));

    assertThat(upstream.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer client-own");
  }

  @Test
  void aBaseUrlEndingInV1IsNeverGivenASecondV1() throws Exception {
    upstream.enqueue(new MockResponse.Builder()
        .addHeader("Content-Type", "application/json")
        .body("""
            {"id":"x","object":"chat.completion","created":1,"model":"m",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""")
        .build());
    bridge = TestBridges.start("--ollama", baseUrl() + "/v1/");

    Response response = TestBridges.post(bridge, "/v1/chat/completions", CHAT);

    assertThat(response.code()).isEqualTo(200);
    assertThat(upstream.takeRequest().getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
    response.close();
  }

  @Test
  void healthSaysWhetherTheUpstreamAnswers() throws Exception {
    FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
    bridge = TestBridges.inFrontOf(backend, "--enable-cache", "--cache-dir", cacheDir.toString());

    Response up = TestBridges.get(bridge, "/health");
    assertThat(up.code()).isEqualTo(200);
    var upBody = TestBridges.json(up);
    backend.close();
    // a probe's result is reused for a quarter of a second: the next fresh one finds the backend gone
    JsonNode down = await().atMost(Duration.ofSeconds(10)).until(() -> {
      try (Response answer = TestBridges.get(bridge, "/health")) {
        return answer.code() == 503 ? TestBridges.json(answer) : null;
      }
    }, java.util.Objects::nonNull);

    assertThat(upBody.path("status").asText()).isEqualTo("ok");
    assertThat(upBody.at("/upstream/reachable").asBoolean()).isTrue();
    assertThat(upBody.at("/cache/enabled").asBoolean()).isTrue();
    assertThat(down.at("/upstream/reachable").asBoolean()).isFalse();
    assertThat(upBody.has("reason")).isFalse();
    String backendAddress = backend.baseUrl().substring("http://".length());
    assertThat(down.path("reason").asText()).as("why, with the upstream as host:port")
        .isEqualTo("upstream " + backendAddress + " refused the connection (nothing listens there)");
    Response root = TestBridges.execute(new okhttp3.Request.Builder().url(TestBridges.url(bridge, "/")).head().build());
    assertThat(root.code()).isEqualTo(200);
    root.close();
  }

  @Test
  void aStreamWhoseUpstreamStallsAfterItsHeadersIs504() {
    upstream.enqueue(new MockResponse.Builder()
        .addHeader("Content-Type", "application/x-ndjson")
        .body(FIRST_CHUNK + LAST_CHUNK)
        .bodyDelay(10, TimeUnit.SECONDS)
        .build());
    bridge = TestBridges.start("--ollama", baseUrl(), "--timeout", "500", "--retries", "0");

    Response openAi = TestBridges.post(bridge, "/v1/chat/completions", STREAMED_CHAT);

    assertThat(openAi.code()).isEqualTo(504);
    JsonNode error = TestBridges.json(openAi).path("error");
    assertThat(error.path("message").asText()).contains("500 ms");
    assertThat(error.path("code").asText()).isEqualTo("upstream_timeout");
  }

  @Test
  void aStreamWhoseUpstreamStallsMidwayEndsWithAnErrorThatCarries504() {
    upstream.enqueue(new MockResponse.Builder()
        .addHeader("Content-Type", "application/x-ndjson")
        .body(FIRST_CHUNK + LAST_CHUNK)
        .throttleBody(FIRST_CHUNK.length(), 10, TimeUnit.SECONDS)
        .build());
    bridge = TestBridges.start("--ollama", baseUrl(), "--timeout", "1000", "--retries", "0");

    Response response = TestBridges.post(bridge, "/api/chat", STREAMED_CHAT);

    assertThat(response.code()).isEqualTo(200);
    List<JsonNode> lines = TestBridges.chunks(TestBridges.body(response));
    assertThat(lines.get(0).at("/message/content").asText()).isEqualTo("Hel");
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.path("error").asText()).contains("1000 ms");
    assertThat(last.fieldNames()).toIterable().containsExactly("error"); // Ollama's own mid-stream error line
  }

  @Test
  void aStreamBrokenMidwayEndsWithTheDialectsOwnErrorAndNoLibraryInternals() {
    upstream.enqueue(new MockResponse.Builder()
        .addHeader("Content-Type", "application/x-ndjson")
        .body(FIRST_CHUNK + "{\"model\":\"m\",\"message\":{\"content\":\"lo")
        .build());
    bridge = TestBridges.start("--ollama", baseUrl(), "--retries", "0");

    String body = TestBridges.body(TestBridges.post(bridge, "/v1/chat/completions",
        "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));

    List<JsonNode> events = TestBridges.chunks(body);
    JsonNode error = events.get(events.size() - 1);
    assertThat(error.fieldNames()).toIterable().containsExactly("error");
    assertThat(error.at("/error/message").asText()).startsWith("the upstream")
        .doesNotContain("limit=", "content=", "Exception");
    assertThat(error.at("/error/type").asText()).isEqualTo("api_error");
  }

  private String baseUrl() {
    String url = upstream.url("/").toString();
    return url.substring(0, url.length() - 1);
  }

  private static MockResponse ollamaAnswer() {
    return new MockResponse.Builder().addHeader("Content-Type", "application/json").body(OLLAMA_ANSWER).build();
  }
}
