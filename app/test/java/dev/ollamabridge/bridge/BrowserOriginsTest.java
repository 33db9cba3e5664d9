package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Browsers reach the bridge only from origins it allows; clients that send no {@code Origin}
 * (curl, SDKs, nginx) are served as ever.
 */
class BrowserOriginsTest {

  private static final String CHAT = """
      {"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"Hi"}]}""";
  private static final MediaType TEXT = MediaType.get("text/plain");

  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4));
  private BridgeServer bridge;

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    backend.close();
  }

  @Test
  void aForeignOriginIsRefusedWith403InTheRoutesDialectAndNothingReachesTheBackend() {
    bridge = TestBridges.inFrontOf(backend);

    Response openAi = TestBridges.execute(blindPost("/v1/chat/completions", "http://evil.example"));
    Response ollama = TestBridges.execute(blindPost("/api/chat", "http://evil.example"));

    assertThat(openAi.code()).isEqualTo(403);
    JsonNode error = TestBridges.json(openAi).path("error");
    assertThat(error.path("message").asText()).contains("http://evil.example").contains("--allowed-origin");
    assertThat(error.path("type").asText()).isEqualTo("permission_error");
    assertThat(ollama.code()).isEqualTo(403);
    assertThat(TestBridges.json(ollama).path("error").asText()).contains("http://evil.example");
    assertThat(backend.stats().requests()).isZero();
  }

  @Test
  void aDnsRebindingPageIsAForeignOriginWhateverItsHost() {
    bridge = TestBridges.inFrontOf(backend);

    Response rebound = TestBridges.execute(blindPost("/api/chat", "http://evil.example:" + bridge.port())
        .newBuilder().header("Host", "evil.example:" + bridge.port()).build());

    assertThat(rebound.code()).isEqualTo(403);
    rebound.close();
  }

  @Test
  void theBridgesOwnAddressesAreAllowedOrigins() {
    bridge = TestBridges.inFrontOf(backend);

    for (String origin : new String[] {"http://127.0.0.1:" + bridge.port(), "http://localhost:" + bridge.port(), "http://[::1]:" + bridge.port()}) {
      try (Response own = TestBridges.execute(blindPost("/api/chat", origin))) {
        assertThat(own.code()).as(origin).isEqualTo(200);
        assertThat(own.header("Access-Control-Allow-Origin")).isEqualTo(origin);
        assertThat(own.header("Vary")).contains("Origin");
      }
    }
    try (Response otherPort = TestBridges.execute(blindPost("/api/chat", "http://127.0.0.1:1"))) {
      assertThat(otherPort.code()).isEqualTo(403);
    }
  }

  @Test
  void anAllowedOriginIsServedAndOthersStillRefused() {
    bridge = TestBridges.inFrontOf(backend, "--allowed-origin", "https://app.example.com", "--allowed-origin", "http://localhost:5173");

    try (Response allowed = TestBridges.execute(blindPost("/v1/chat/completions", "https://app.example.com"))) {
      assertThat(allowed.code()).isEqualTo(200);
      assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    }
    try (Response refused = TestBridges.execute(blindPost("/v1/chat/completions", "https://app.example.com.evil.example"))) {
      assertThat(refused.code()).isEqualTo(403);
    }
  }

  @Test
  void aStarAllowsEveryOrigin() {
    bridge = TestBridges.inFrontOf(backend, "--allowed-origin", "*");

    try (Response any = TestBridges.execute(blindPost("/api/chat", "http://anywhere.example"))) {
      assertThat(any.code()).isEqualTo(200);
      assertThat(any.header("Access-Control-Allow-Origin")).isEqualTo("http://anywhere.example");
    }
  }

  @Test
  void aPreflightIsAnsweredForAllowedOriginsOnly() {
    bridge = TestBridges.inFrontOf(backend, "--allowed-origin", "https://app.example.com");

    try (Response allowed = TestBridges.execute(preflight("/v1/chat/completions", "https://app.example.com"))) {
      assertThat(allowed.code()).isEqualTo(204);
      assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
      assertThat(allowed.header("Access-Control-Allow-Methods")).contains("POST");
      assertThat(allowed.header("Access-Control-Allow-Headers").toLowerCase()).contains("authorization").contains("content-type");
      assertThat(allowed.header("Access-Control-Max-Age")).isNotBlank();
    }
    Response refused = TestBridges.execute(preflight("/v1/chat/completions", "http://evil.example"));
    assertThat(refused.code()).isEqualTo(403);
    assertThat(refused.header("Access-Control-Allow-Origin")).isNull();
    assertThat(TestBridges.json(refused).at("/error/message").asText()).contains("http://evil.example");
  }

  @Test
  void requestsWithoutOriginAreServedWhateverTheirHost() {
    bridge = TestBridges.inFrontOf(backend);

    for (String host : new String[] {"127.0.0.1:8080", "llm.example.com", "localhost"}) {
      try (Response forwarded = TestBridges.execute(new Request.Builder().url(TestBridges.url(bridge, "/api/chat"))
          .header("Host", host).post(RequestBody.create(CHAT, MediaType.get("application/json"))).build())) {
        assertThat(forwarded.code()).as(host).isEqualTo(200);
        assertThat(forwarded.header("Access-Control-Allow-Origin")).isNull();
      }
    }
  }

  /** What a page on another site can send without a preflight: a POST of "plain text". */
  private Request blindPost(String path, String origin) {
    return new Request.Builder().url(TestBridges.url(bridge, path))
        .header("Origin", origin)
        .post(RequestBody.create(CHAT, TEXT))
        .build();
  }

  private Request preflight(String path, String origin) {
    return new Request.Builder().url(TestBridges.url(bridge, path))
        .method("OPTIONS", null)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization, content-type")
        .build();
  }
}
