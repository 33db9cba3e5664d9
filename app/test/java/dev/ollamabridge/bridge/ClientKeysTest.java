package dev.ollamabridge.bridge;

import static dev.ollamabridge.bridge.KeyFiles.key;
import static dev.ollamabridge.bridge.KeyFiles.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.link.KeyRule;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.exceptions.OllamaException;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's client keys at one bridge ({@code --client-keys-file}): every refusal (401, 403,
 * 429) in the route's dialect, as the OpenAI SDK, ollama4j and plain HTTP clients see it, before
 * any call to the backend; and a client key never sent on to the backend, which gets the bridge's
 * own {@code --api-key} instead.
 */
class ClientKeysTest {

  private static final String UPSTREAM_KEY = "sk-upstream-of-the-bridge";
  private static final String OLLAMA_CHAT = """
      {"model":"%s","messages":[{"role":"user","content":"What is two plus two"}],"stream":false}""";

  @TempDir Path dir;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(8));
  private final List<OpenAIClient> clients = new ArrayList<>();
  private BridgeServer bridge;

  @AfterEach
  void stop() {
    clients.forEach(OpenAIClient::close);
    TestBridges.close(bridge);
    backend.close();
  }

  private BridgeServer bridge(boolean required, KeyRule... keys) {
    Path file = dir.resolve("client-keys.json");
    KeyFiles.write(file, required, keys);
    bridge = TestBridges.inFrontOf(backend, "--api-key", UPSTREAM_KEY, "--client-keys-file", file.toString());
    return bridge;
  }

  @Test
  void aMissingUnknownDisabledOrExpiredKeyIs401InEitherDialectAndReachesNoBackend() {
    String disabled = secret();
    String expired = secret();
    bridge(true, new KeyRule("d", "old laptop", Sha256.hex(disabled), List.of(), 0, 0, null, false, false),
        new KeyRule("e", "trial", Sha256.hex(expired), List.of(), 0, 0, 1_000L, true, false));

    assertThatThrownBy(() -> openAi(secret()).chat().completions().create(question("fake-llama")))
        .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(401);
          assertThat(e.code()).hasValue("invalid_api_key");
        });
    Response none = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama"));
    assertThat(none.code()).isEqualTo(401);
    assertThat(TestBridges.json(none).path("error").asText()).contains("needs a client key");
    Response off = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama"),
        "Authorization", "Bearer " + disabled);
    assertThat(off.code()).isEqualTo(401);
    assertThat(TestBridges.json(off).path("error").asText()).contains("'old laptop' is disabled");
    Response late = TestBridges.post(bridge, "/v1/chat/completions", OLLAMA_CHAT.formatted("fake-llama"),
        "x-api-key", expired);
    assertThat(late.code()).isEqualTo(401);
    assertThat(TestBridges.json(late).at("/error/message").asText()).contains("'trial' expired at 1970-01-01T00:00:01Z");

    assertThat(backend.stats().requests()).isZero();
    assertThat(backend.stats().lastAuthorization()).as("nothing reached the backend at all").isNull();
  }

  @Test
  void aModelTheKeyMayNotUseIs403NamingTheModelInEitherDialect() throws Exception {
    String llamaOnly = secret();
    String anyFake = secret();
    bridge(true, key("l", llamaOnly, List.of("fake-llama"), 0, 0), key("f", anyFake, List.of("fake-*"), 0, 0));

    assertThatThrownBy(() -> openAi(llamaOnly).chat().completions().create(question("fake-r1")))
        .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
          assertThat(e.getMessage()).contains("may not use the model 'fake-r1'");
          assertThat(e.code()).hasValue("model_not_allowed");
        });
    Ollama ollama = ollama4j(llamaOnly);
    assertThatThrownBy(() -> ollama.chat(OllamaChatRequest.builder().withModel("fake-r1")
        .withMessage(OllamaChatMessageRole.USER, "hello").build(), null))
        .isInstanceOf(OllamaException.class); // ollama4j keeps the error's text to itself
    Response chat = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-r1"),
        "Authorization", "Bearer " + llamaOnly);
    assertThat(chat.code()).isEqualTo(403);
    assertThat(TestBridges.json(chat).path("error").asText()).isEqualTo("the client key 'key l' may not use the model 'fake-r1'");
    Response embed = TestBridges.post(bridge, "/api/embed", "{\"model\":\"fake-r1\",\"input\":\"x\"}",
        "Authorization", "Bearer " + llamaOnly);
    assertThat(embed.code()).isEqualTo(403);
    assertThat(TestBridges.json(embed).path("error").asText()).contains("'fake-r1'");
    assertThat(backend.stats().requests()).isZero();

    assertThat(ollama.chat(OllamaChatRequest.builder().withModel("fake-llama:latest")
        .withMessage(OllamaChatMessageRole.USER, "hello").build(), null).getResponseModel().isDone()).isTrue();
    assertThat(openAi(anyFake).chat().completions().create(question("fake-r1")).choices()).hasSize(1);
    assertThat(backend.stats().requests()).isEqualTo(2);
  }

  @Test
  void aKeyOverItsRequestsPerMinuteIs429WithRetryAfterInEitherDialect() {
    String two = secret();
    bridge(true, key("two", two, List.of(), 2, 0));
    awaitEarlyInAMinute();

    assertThat(openAi(two).chat().completions().create(question("fake-llama")).choices()).hasSize(1);
    try (Response ok = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama"),
        "Authorization", "Bearer " + two)) {
      assertThat(ok.code()).isEqualTo(200);
    }
    assertThatThrownBy(() -> openAi(two).chat().completions().create(question("fake-llama")))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertThat(e.code()).hasValue("rate_limit_exceeded");
          assertThat(Long.parseLong(e.headers().values("Retry-After").get(0))).isBetween(1L, 60L);
        });
    Response refused = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama"),
        "Authorization", "Bearer " + two);
    assertThat(refused.code()).isEqualTo(429);
    assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
    assertThat(TestBridges.json(refused).path("error").asText()).contains("over its 2 requests per minute");
    assertThat(backend.stats().requests()).isEqualTo(2);
  }

  @Test
  void aKeyOverItsTokensForTheDayIs429UntilMidnightUtc() {
    String small = secret();
    bridge(true, key("small", small, List.of(), 0, 10));

    try (Response first = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama"),
        "Authorization", "Bearer " + small)) {
      assertThat(first.code()).as("5 prompt and 8 completion tokens: over the budget after, not before").isEqualTo(200);
    }
    // tokens are counted once the answer is written, which its client may see a moment before
    await().untilAsserted(() -> assertThat(TestBridges.body(TestBridges.get(bridge, "/metrics")))
        .contains("bridge_usage_prompt_tokens_total{key=\"small\",model=\"fake-llama\"} 5.0"));
    assertThatThrownBy(() -> openAi(small).chat().completions().create(question("fake-llama")))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertThat(e.code()).hasValue("budget_exceeded");
          long retryAfter = Long.parseLong(e.headers().values("Retry-After").get(0));
          long untilMidnight = 86_400 - System.currentTimeMillis() / 1000 % 86_400;
          assertThat(retryAfter).isBetween(untilMidnight - 60, untilMidnight + 1);
        });
    assertThat(backend.stats().requests()).isEqualTo(1);
  }

  @Test
  void aClientKeyNeverReachesTheBackendWhichGetsTheBridgesOwnKey() throws Exception {
    String app = secret();
    bridge(true, key("app", app, List.of(), 0, 0));
    String upstream = "Bearer " + UPSTREAM_KEY;

    openAi(app).chat().completions().create(question("fake-llama"));
    assertThat(backend.stats().lastAuthorization()).isEqualTo(upstream);
    ollama4j(app).chat(OllamaChatRequest.builder().withModel("fake-llama").withMessage(OllamaChatMessageRole.USER, "hi")
        .withStreaming().build(), chunk -> {});
    assertThat(backend.stats().lastAuthorization()).isEqualTo(upstream);
    for (String path : List.of("/api/tags", "/v1/models")) {
      try (Response list = TestBridges.execute(new Request.Builder().url(TestBridges.url(bridge, path))
          .header("x-api-key", app).build())) {
        assertThat(list.code()).isEqualTo(200);
      }
      assertThat(backend.stats().lastAuthorization()).as(path).isEqualTo(upstream);
    }
    try (Response embed = TestBridges.post(bridge, "/v1/embeddings", "{\"model\":\"fake-llama\",\"input\":\"x\"}",
        "Authorization", "Bearer " + app)) {
      assertThat(embed.code()).isEqualTo(200);
    }
    assertThat(backend.stats().lastAuthorization()).isEqualTo(upstream);
  }

  @Test
  void anOpenClusterServesWithoutAKeyPassesAClientsOwnTokenOnButNeverAClientKey() {
    String limited = secret();
    bridge(false, key("l", limited, List.of("fake-llama"), 0, 0));

    try (Response open = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-r1"))) {
      assertThat(open.code()).isEqualTo(200);
    }
    try (Response own = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama"),
        "Authorization", "Bearer sk-the-clients-own")) {
      assertThat(own.code()).isEqualTo(200);
    }
    assertThat(backend.stats().lastAuthorization()).as("as without keys: a client's own token goes on")
        .isEqualTo("Bearer sk-the-clients-own");
    try (Response revoked = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama"),
        "Authorization", "Bearer " + secret())) {
      assertThat(revoked.code()).isEqualTo(200);
    }
    assertThat(backend.stats().lastAuthorization()).as("an unknown ob- key is a revoked one: kept back")
        .isEqualTo("Bearer " + UPSTREAM_KEY);
    Response refused = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-r1"),
        "Authorization", "Bearer " + limited);
    assertThat(refused.code()).as("a key presented is a key enforced").isEqualTo(403);
    refused.close();
  }

  @Test
  void anInstanceClientKeyWorksBesideTheClusterKeysAndIsNotSentOnEither() {
    Path file = dir.resolve("client-keys.json");
    String clusterKey = secret();
    KeyFiles.write(file, true, key("c", clusterKey, List.of(), 0, 0));
    bridge = TestBridges.inFrontOf(backend, "--client-key", "instance-only", "--client-keys-file", file.toString());

    for (String token : List.of("instance-only", clusterKey)) {
      try (Response ok = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama"),
          "Authorization", "Bearer " + token)) {
        assertThat(ok.code()).isEqualTo(200);
      }
      assertThat(backend.stats().lastAuthorization()).isNull();
    }
    try (Response wrong = TestBridges.post(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama"),
        "Authorization", "Bearer instance-onl")) {
      assertThat(wrong.code()).isEqualTo(401);
    }
  }

  @Test
  void keyCheckAnswers204Or401ForNginxAndIsNoClientRequest() {
    String app = secret();
    bridge(true, key("app", app, List.of(), 1, 0));

    assertThat(keyCheck(app)).isEqualTo(204);
    assertThat(keyCheck(app)).as("a check is no request: the key's one request a minute is not spent").isEqualTo(204);
    assertThat(keyCheck(null)).isEqualTo(401);
    assertThat(keyCheck(secret())).isEqualTo(401);
    String metrics = TestBridges.body(TestBridges.get(bridge, "/metrics"));
    assertThat(metrics).doesNotContain("key-check").doesNotContain("bridge_usage_requests_total{");
    JsonNode keys = TestBridges.json(TestBridges.get(bridge, "/health")).path("keys");
    assertThat(keys.path("required").asBoolean()).isTrue();
    assertThat(keys.path("count").asInt()).isEqualTo(1);
    assertThat(keys.path("loaded_at").asText()).isNotEmpty();
    assertThat(keys.path("error").isNull()).isTrue();
  }

  private int keyCheck(String token) {
    Request.Builder request = new Request.Builder().url(TestBridges.url(bridge, "/key-check"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try (Response response = TestBridges.execute(request.build())) {
      return response.code();
    }
  }

  /**
   * Waits for the first 40 seconds of a minute: a key's requests are counted per clock minute, and
   * a test that spans two would see its count start again.
   */
  static void awaitEarlyInAMinute() {
    await().atMost(Duration.ofSeconds(70)).pollInterval(Duration.ofMillis(100))
        .until(() -> System.currentTimeMillis() / 1000 % 60 < 40);
  }

  private OpenAIClient openAi(String key) {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(bridge, "/v1")).apiKey(key)
        .maxRetries(0).build();
    clients.add(client);
    return client;
  }

  private Ollama ollama4j(String key) {
    Ollama client = new Ollama(TestBridges.url(bridge, ""));
    client.setRequestTimeoutSeconds(30);
    client.setBearerAuth(key);
    return client;
  }

  static ChatCompletionCreateParams question(String model) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage("What is two plus two").build();
  }

  static long completionTokens(ChatCompletion completion) {
    return completion.usage().orElseThrow().completionTokens();
  }
}
