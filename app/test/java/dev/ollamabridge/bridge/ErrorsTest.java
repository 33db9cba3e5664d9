package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every failure answers with the right status, in the dialect of the route it came in on. */
class ErrorsTest {

  private static final String CHAT = """
      {"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"Hi"}]}""";

  // one backend and one plain bridge for the class: starting and stopping them is most of a test's time
  private static FakeOllama backend;
  private static BridgeServer plain;
  private BridgeServer bridge;

  @BeforeAll
  static void startShared() {
    backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4));
    plain = TestBridges.inFrontOf(backend);
  }

  @AfterAll
  static void stopShared() {
    TestBridges.close(plain);
    backend.close();
  }

  @AfterEach
  void stop() {
    if (bridge != null && bridge != plain) {
      TestBridges.close(bridge);
    }
  }

  @Test
  void invalidJsonIs400InEachDialect() {
    bridge = plain;

    Response openAi = TestBridges.post(bridge, "/v1/chat/completions", "{not json");
    Response ollama = TestBridges.post(bridge, "/api/chat", "{not json");

    assertThat(openAi.code()).isEqualTo(400);
    JsonNode openAiError = TestBridges.json(openAi).path("error");
    assertThat(openAiError.path("message").asText()).contains("not valid JSON");
    assertThat(openAiError.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(ollama.code()).isEqualTo(400);
    assertThat(TestBridges.json(ollama).path("error").asText()).contains("not valid JSON");
  }

  @Test
  void aMissingModelIs400NamingTheField() {
    bridge = plain;

    Response response = TestBridges.post(bridge, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");

    assertThat(response.code()).isEqualTo(400);
    JsonNode error = TestBridges.json(response).path("error");
    assertThat(error.path("param").asText()).isEqualTo("model");
    assertThat(error.path("message").asText()).contains("model is required");
  }

  @Test
  void aWrongClientKeyIs401AndTheRightOneIsNotSentUpstream() {
    bridge = TestBridges.inFrontOf(backend, "--client-key", "alpha", "--client-key", "beta");

    Response none = TestBridges.post(bridge, "/api/chat", CHAT);
    Response wrong = TestBridges.post(bridge, "/v1/chat/completions", CHAT, "Authorization", "Bearer gamma");
    Response right = TestBridges.post(bridge, "/api/chat", CHAT, "Authorization", "Bearer beta");

    assertThat(none.code()).isEqualTo(401);
    assertThat(TestBridges.json(none).path("error").asText()).contains("client key");
    assertThat(wrong.code()).isEqualTo(401);
    assertThat(TestBridges.json(wrong).at("/error/type").asText()).isEqualTo("authentication_error");
    assertThat(right.code()).isEqualTo(200);
    right.close();
    assertThat(backend.stats().lastAuthorization()).isNull();
    try (Response embed = TestBridges.post(bridge, "/api/embed", "{\"model\":\"fake-llama\",\"input\":\"x\"}",
        "Authorization", "Bearer beta")) {
      assertThat(embed.code()).isEqualTo(200);
    }
    assertThat(backend.stats().lastAuthorization()).as("no route sends a client key upstream").isNull();
  }

  @Test
  void anUnreachableUpstreamIs502AndDoesNotTellTheClientWhereTheBackendLives() throws IOException {
    int port = closedPort();
    bridge = TestBridges.start("--ollama", "http://127.0.0.1:" + port, "--retries", "1");

    Response openAi = TestBridges.post(bridge, "/v1/chat/completions", CHAT);
    Response ollama = TestBridges.post(bridge, "/api/chat", CHAT);

    assertThat(openAi.code()).isEqualTo(502);
    assertThat(TestBridges.json(openAi).at("/error/message").asText()).contains("unreachable");
    assertThat(ollama.code()).isEqualTo(502);
    assertThat(TestBridges.json(ollama).path("error").asText()).contains("unreachable");
    Response again = TestBridges.post(bridge, "/v1/chat/completions", CHAT);
    assertThat(TestBridges.body(again)).doesNotContain("127.0.0.1", Integer.toString(port), "Connection refused");
  }

  @Test
  void anOversizedBodyIs413() {
    bridge = TestBridges.inFrontOf(backend, "--max-body-bytes", "2048");

    Response response = TestBridges.post(bridge, "/api/chat", CHAT.replace("Hi", "x".repeat(4096)));

    assertThat(response.code()).isEqualTo(413);
    assertThat(TestBridges.json(response).path("error").asText()).contains("larger than 2048 bytes");
  }

  @Test
  void overTheRateLimitIs429WithRetryAfter() {
    bridge = TestBridges.inFrontOf(backend, "--rate-limit", "1");

    Response first = TestBridges.post(bridge, "/v1/chat/completions", CHAT);
    Response second = TestBridges.post(bridge, "/v1/chat/completions", CHAT);

    assertThat(first.code()).isEqualTo(200);
    first.close();
    assertThat(second.code()).isEqualTo(429);
    assertThat(second.header("Retry-After")).isEqualTo("1");
    assertThat(TestBridges.json(second).at("/error/type").asText()).isEqualTo("rate_limit_error");
  }

  @Test
  void anUpstreamSlowerThanTheTimeoutIs504() {
    FakeOllama slow = FakeOllama.start(FakeOllama.Options.defaults().withLatencyMs(3000));
    try {
      bridge = TestBridges.inFrontOf(slow, "--timeout", "300");

      Response response = TestBridges.post(bridge, "/api/chat", CHAT);

      assertThat(response.code()).isEqualTo(504);
      assertThat(TestBridges.json(response).path("error").asText()).contains("within 300 ms");
    } finally {
      slow.close();
    }
  }

  @Test
  void anUpstreamErrorKeepsItsStatusAndMessageInTheClientsDialect() {
    bridge = plain;

    Response response = TestBridges.post(bridge, "/v1/chat/completions", CHAT.replace("fake-llama", "no-such-model"));

    assertThat(response.code()).isEqualTo(404);
    assertThat(TestBridges.json(response).at("/error/message").asText()).contains("no-such-model");
  }

  @Test
  void anUnknownRouteIs404InItsDialect() {
    bridge = plain;

    Response ollama = TestBridges.get(bridge, "/api/nothing");
    Response openAi = TestBridges.get(bridge, "/v1/nothing");

    assertThat(ollama.code()).isEqualTo(404);
    assertThat(TestBridges.json(ollama).path("error").isTextual()).isTrue();
    assertThat(openAi.code()).isEqualTo(404);
    assertThat(TestBridges.json(openAi).at("/error/message").asText()).contains("/v1/nothing");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "GET, /v1/chat/completions, POST",
      "DELETE, /api/chat, POST",
      "PUT, /api/tags, GET",
      "POST, /health, GET"})
  void aWrongMethodIs405WithAllowInTheRoutesDialect(String method, String path, String allowed) {
    bridge = plain;

    Response response = TestBridges.execute(new Request.Builder().url(TestBridges.url(bridge, path))
        .method(method, method.equals("GET") ? null : RequestBody.create(CHAT, MediaType.get("application/json")))
        .build());

    assertThat(response.code()).isEqualTo(405);
    assertThat(response.header("Allow")).contains(allowed);
    JsonNode body = TestBridges.json(response);
    String message = path.startsWith("/api/") ? body.path("error").asText() : body.at("/error/message").asText();
    assertThat(message).contains(method).contains(path).contains(allowed);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void aBadBodyIs400InUserTermsWithoutTheParsersInternals(String label, byte[] body) {
    bridge = plain;

    for (String path : new String[] {"/v1/chat/completions", "/v1/completions", "/api/chat", "/api/generate"}) {
      Response response = TestBridges.execute(new Request.Builder().url(TestBridges.url(bridge, path))
          .post(RequestBody.create(body, MediaType.get("application/json"))).build());

      assertThat(response.code()).as(path).isEqualTo(400);
      JsonNode error = TestBridges.json(response).path("error");
      String message = error.isTextual() ? error.asText() : error.path("message").asText();
      assertThat(message).as(path).isNotBlank()
          .doesNotContain("Source", "REDACTED", "jackson", "Jackson", "Feature", "Exception", "(code ",
              "StreamReadConstraints", "JsonNode", "`", "internal error", "CTRL-CHAR", "0xff");
    }
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        bad("a bare word", "{not json"),
        bad("an unfinished object", "{\"model\":\"fake-llama\""),
        bad("a missing value", "{\"model\":}"),
        bad("single quotes", "{'model':'fake-llama'}"),
        bad("a comment", "/* hi */ {\"model\":\"fake-llama\"}"),
        bad("NaN", "{\"model\":\"fake-llama\",\"temperature\":NaN}"),
        bad("trailing garbage", "{\"model\":\"fake-llama\",\"messages\":[],\"prompt\":\"x\"} trailing"),
        bad("a raw newline in a string", "{\"model\":\"fake\nllama\"}"),
        bad("deep nesting", "{\"model\":\"fake-llama\",\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}"),
        bad("a 2000-digit number", "{\"model\":\"fake-llama\",\"temperature\":" + "9".repeat(2000) + "}"),
        bad("an infinite number", "{\"model\":\"fake-llama\",\"prompt\":\"x\",\"input\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"temperature\":1e999,\"options\":{\"temperature\":1e999}}"),
        bad("messages that are a number", "{\"model\":\"fake-llama\",\"prompt\":5,\"messages\":5,\"input\":5}"),
        bad("a stream that is a word", "{\"model\":\"fake-llama\",\"prompt\":\"x\",\"input\":{},\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":\"yes\"}"),
        bad("a model that is a number", "{\"model\":5}"),
        Arguments.of("bytes that are not UTF-8", new byte[] {'{', '"', 'm', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'}),
        bad("an empty body", ""),
        bad("an array", "[1,2]"));
  }

  private static Arguments bad(String label, String body) {
    return Arguments.of(label, body.getBytes(StandardCharsets.UTF_8));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
