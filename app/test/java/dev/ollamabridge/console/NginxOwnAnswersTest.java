package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.ollamabridge.fake.FakeOllama;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What nginx answers itself, through the console's real nginx: an unknown model, a body too large,
 * the rate limit and every bridge down come as JSON in the route's dialect (OpenAI's under
 * {@code /v1/}, Ollama's under {@code /api/}), which real clients parse; and the console's totals
 * count those answers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NginxOwnAnswersTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

  @TempDir static Path data;
  private static FakeOllama backend;
  private static ManagedNginxFixture nginx;
  private static long instance;

  @BeforeAll
  static void start() throws IOException {
    backend = FakeOllama.start(FakeOllama.Options.defaults().withModels("known"));
    nginx = new ManagedNginxFixture(data);
    ConsoleClient.Answer limited = nginx.api.patch("/settings", "{\"nginx.max_body_mb\":1}");
    assertThat(limited.status()).as(limited.body().toString()).isEqualTo(200);
    instance = nginx.create("only", backend.baseUrl(), 1);
    nginx.awaitHealthy(instance);
    nginx.awaitSettled();
  }

  @AfterAll
  static void stop() {
    Teardown.run(Teardown.closing(nginx), backend::close);
  }

  @Test
  @Order(1)
  void anUnknownModelIsA404InTheRoutesDialect() throws IOException {
    Answer openAi = post("/v1/chat/completions", chat("nobody-serves-this"));
    assertThat(openAi.status()).isEqualTo(404);
    assertOpenAiError(openAi, "nobody-serves-this");

    Answer ollama = post("/api/chat", chat("nobody-serves-this"));
    assertThat(ollama.status()).isEqualTo(404);
    assertOllamaError(ollama, "nobody-serves-this");
    // an Ollama client shows nginx's reason (ollama4j reads the error of a 400, 401, 404 or 500 only)
    Ollama client = new Ollama("http://127.0.0.1:" + nginx.nginxPort);
    assertThatThrownBy(() -> client.chat(OllamaChatRequest.builder().withModel("nobody-serves-this")
        .withMessage(OllamaChatMessageRole.USER, "hi").build(), null))
        .hasMessageContaining("nobody-serves-this");
  }

  @Test
  @Order(2)
  void aBodyLargerThanTheLimitIsA413InTheRoutesDialect() throws IOException {
    String large = "{\"model\":\"known\",\"prompt\":\"" + "a".repeat(2 << 20) + "\"}";

    Answer openAi = post("/v1/completions", large);
    assertThat(openAi.status()).isEqualTo(413);
    assertOpenAiError(openAi, "1 MiB");

    Answer ollama = post("/api/generate", large);
    assertThat(ollama.status()).isEqualTo(413);
    assertOllamaError(ollama, "1 MiB");
  }

  @Test
  @Order(3)
  void theRateLimitIsA429InTheRoutesDialect() throws IOException {
    ConsoleClient.Answer slow = nginx.api.patch("/settings", "{\"nginx.rate_per_second\":1,\"nginx.burst\":0}");
    assertThat(slow.status()).as(slow.body().toString()).isEqualTo(200);
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> {
      String config = nginx.appliedConfig();
      return config != null && config.contains("rate=1r/s");
    });
    try {
      // at most one request a second: of two at once, the second is refused
      await().atMost(ManagedNginxFixture.PATIENCE).untilAsserted(() -> {
        post("/v1/chat/completions", chat("nobody-serves-this"));
        Answer openAi = post("/v1/chat/completions", chat("nobody-serves-this"));
        assertThat(openAi.status()).isEqualTo(429);
        assertOpenAiError(openAi, "requests/s");
        assertThat(openAi.retryAfter()).isNotNull();
      });
      await().atMost(ManagedNginxFixture.PATIENCE).untilAsserted(() -> {
        post("/api/chat", chat("nobody-serves-this"));
        Answer ollama = post("/api/chat", chat("nobody-serves-this"));
        assertThat(ollama.status()).isEqualTo(429);
        assertOllamaError(ollama, "requests/s");
      });
    } finally {
      ConsoleClient.Answer fast = nginx.api.patch("/settings", "{\"nginx.rate_per_second\":100000,\"nginx.burst\":200}");
      assertThat(fast.status()).as(fast.body().toString()).isEqualTo(200);
      nginx.awaitSettled();
    }
  }

  @Test
  @Order(4)
  void withEveryBridgeDownClientsGetNginxsAnswerInTheirDialectAndTheTotalsCountIt() throws Exception {
    ConsoleClient.Answer stopped = nginx.api.post("/instances/" + instance + "/stop", "{}");
    assertThat(stopped.status()).as(stopped.body().toString()).isEqualTo(200);
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> post("/api/chat", chat("known")).status() >= 502);

    Answer ollama = post("/api/chat", chat("known"));
    assertThat(ollama.status()).isIn(502, 503);
    assertOllamaError(ollama, "no bridge");
    Answer openAi = post("/v1/chat/completions", chat("known"));
    assertThat(openAi.status()).isIn(502, 503);
    assertOpenAiError(openAi, "no bridge");

    // what the clients people use make of it
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + nginx.nginxPort + "/v1")
        .apiKey("unused").maxRetries(0).build();
    try {
      assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder().model("known")
          .addUserMessage("hi").build()))
          .isInstanceOf(OpenAIServiceException.class)
          .satisfies(e -> assertThat(((OpenAIServiceException) e).statusCode()).isIn(502, 503))
          .hasMessageContaining("no bridge");
    } finally {
      client.close();
    }
    await().atMost(ManagedNginxFixture.PATIENCE).untilAsserted(() -> {
      JsonNode answers = nginx.api.get("/status").body().path("nginx_answers");
      assertThat(answers.path("errors_total").asLong()).as(answers.toString()).isPositive();
    });
  }

  private static void assertOpenAiError(Answer answer, String mentioned) {
    assertThat(answer.contentType()).startsWith("application/json");
    JsonNode error = answer.json().path("error");
    assertThat(error.isObject()).as(answer.body()).isTrue();
    assertThat(error.path("message").asText()).contains(mentioned);
    assertThat(error.path("type").asText()).isNotBlank();
    assertThat(error.path("code").asText()).isNotBlank();
  }

  private static void assertOllamaError(Answer answer, String mentioned) {
    assertThat(answer.contentType()).startsWith("application/json");
    JsonNode error = answer.json().path("error");
    assertThat(error.isTextual()).as(answer.body()).isTrue();
    assertThat(error.asText()).contains(mentioned);
  }

  private record Answer(int status, String contentType, String body, String retryAfter) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  private static String chat(String model) {
    return "{\"model\":\"" + model + "\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  private static Answer post(String path, String body) throws IOException {
    return call(new Request.Builder().url("http://127.0.0.1:" + nginx.nginxPort + path)
        .post(RequestBody.create(body, MediaType.get("application/json"))).build());
  }

  private static Answer call(Request request) throws IOException {
    try (Response response = HTTP.newCall(request).execute()) {
      return new Answer(response.code(), response.header("Content-Type", ""), response.body().string(),
          response.header("Retry-After"));
    }
  }
}
