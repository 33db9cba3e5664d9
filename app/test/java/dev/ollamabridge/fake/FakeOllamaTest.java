package dev.ollamabridge.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FakeOllamaTest {

  private static final String CHAT =
      "{\"model\":\"fake-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"why is the sky blue\"}]";

  private final ObjectMapper json = FakeHttp.JSON;
  private FakeOllama fake;

  @AfterEach
  void stopFake() {
    if (fake != null) {
      fake.close();
    }
  }

  @Test
  void nonStreamedOllamaChatAnswersWithContentDoneAndCounts() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withTokens(12));

    HttpResponse<String> response = post("/api/chat", CHAT + ",\"stream\":false}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode answer = json.readTree(response.body());
    assertThat(answer.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(answer.path("message").path("content").asText()).isNotBlank();
    assertThat(answer.path("done").asBoolean()).isTrue();
    assertThat(answer.path("done_reason").asText()).isEqualTo("stop");
    assertThat(answer.path("prompt_eval_count").asInt()).isEqualTo(5);
    assertThat(answer.path("eval_count").asInt()).isEqualTo(12);
    assertThat(answer.path("total_duration").asLong()).isPositive();
  }

  @Test
  void theSameRequestAlwaysGetsTheSameAnswer() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults());

    String first = content(post("/api/chat", CHAT + ",\"stream\":false}"));
    String second = content(post("/api/chat", CHAT + ",\"stream\":false}"));
    String otherPrompt = content(post("/api/chat",
        "{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"));

    assertThat(second).isEqualTo(first);
    assertThat(otherPrompt).isNotEqualTo(first);
  }

  @Test
  void streamedOpenAiChatSendsRoleContentFinishUsageAndDone() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withTokens(6));
    String whole = json.readTree(post("/v1/chat/completions", CHAT + "}").body())
        .path("choices").path(0).path("message").path("content").asText();

    HttpResponse<String> response = post("/v1/chat/completions",
        CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/event-stream"));
    List<String> events = sseData(response.body());
    assertThat(events).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = new ArrayList<>();
    for (String event : events.subList(0, events.size() - 1)) {
      chunks.add(json.readTree(event));
    }
    JsonNode role = chunks.get(0).path("choices").path(0).path("delta");
    assertThat(role.path("role").asText()).isEqualTo("assistant");
    List<JsonNode> contents = chunks.subList(1, chunks.size() - 2);
    assertThat(contents).hasSize(6);
    StringBuilder streamed = new StringBuilder();
    contents.forEach(chunk -> streamed.append(chunk.path("choices").path(0).path("delta").path("content").asText()));
    assertThat(streamed.toString()).isEqualTo(whole);
    JsonNode finish = chunks.get(chunks.size() - 2).path("choices").path(0);
    assertThat(finish.path("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = chunks.get(chunks.size() - 1);
    assertThat(usage.path("choices").isEmpty()).isTrue();
    assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(6);
    assertThat(usage.path("usage").path("total_tokens").asInt()).isEqualTo(6 + 5);
  }

  @Test
  void streamedOllamaGenerateEndsWithExactlyOneDoneLine() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withTokens(5));

    HttpResponse<String> response = post("/api/generate", "{\"model\":\"fake-llama\",\"prompt\":\"hi there\"}");

    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
    List<JsonNode> lines = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      lines.add(json.readTree(line));
    }
    assertThat(lines).hasSize(6);
    assertThat(lines).filteredOn(line -> line.path("done").asBoolean()).hasSize(1);
    JsonNode done = lines.get(lines.size() - 1);
    assertThat(done.path("done").asBoolean()).isTrue();
    assertThat(done.path("eval_count").asInt()).isEqualTo(5);
    assertThat(done.path("context").isArray()).isTrue();
  }

  @Test
  void anOllamaNumPredictBelowTheAnswerLengthCutsItWithReasonLength() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults());

    JsonNode answer = json.readTree(post("/api/chat", CHAT + ",\"stream\":false,\"options\":{\"num_predict\":3}}").body());

    assertThat(answer.path("done_reason").asText()).isEqualTo("length");
    assertThat(answer.path("eval_count").asInt()).isEqualTo(3);
  }

  @Test
  void anUnknownModelIsNotFoundInEachDialectsOwnWords() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults());
    String unknown = "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    HttpResponse<String> ollama = post("/api/chat", unknown);
    HttpResponse<String> openAi = post("/v1/chat/completions", unknown);

    assertThat(ollama.statusCode()).isEqualTo(404);
    assertThat(json.readTree(ollama.body()).path("error").asText())
        .isEqualTo("model \"nope\" not found, try pulling it first");
    assertThat(openAi.statusCode()).isEqualTo(404);
    JsonNode error = json.readTree(openAi.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");
    assertThat(error.path("param").asText()).isEqualTo("model");
  }

  @Test
  void aRequiredKeyTurnsAwayRequestsWithoutItAndAdmitsThoseWithIt() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withRequireKey("sk-test"));

    HttpResponse<String> without = get("/v1/models", null);
    HttpResponse<String> wrong = get("/api/tags", "Bearer sk-other");
    HttpResponse<String> with = get("/v1/models", "Bearer sk-test");
    String authorizationSeen = fake.stats().lastAuthorization();
    HttpResponse<String> root = get("/", null);

    assertThat(without.statusCode()).isEqualTo(401);
    assertThat(json.readTree(without.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(json.readTree(wrong.body()).path("error").asText()).isEqualTo("unauthorized");
    assertThat(with.statusCode()).isEqualTo(200);
    assertThat(authorizationSeen).isEqualTo("Bearer sk-test");
    assertThat(root.statusCode()).isEqualTo(200);
  }

  @Test
  void withThinkEveryAnswerStartsWithReasoningInThinkTags() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withThink(true).withTokens(4));

    String content = json.readTree(post("/v1/chat/completions", CHAT + "}").body())
        .path("choices").path(0).path("message").path("content").asText();
    List<String> streamed = new ArrayList<>();
    for (String event : sseData(post("/v1/chat/completions", CHAT + ",\"stream\":true}").body())) {
      if (!event.equals("[DONE]")) {
        streamed.add(json.readTree(event).path("choices").path(0).path("delta").path("content").asText());
      }
    }

    assertThat(content).startsWith("<think>").contains("</think>\n\n");
    assertThat(streamed.subList(1, 3)).containsExactly("<think>", "Let");
    assertThat(streamed).contains("</think>");
  }

  @Test
  void anErrorRateOfOneFailsEveryGenerationWithHttp500() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withErrorRate(1.0));

    HttpResponse<String> ollama = post("/api/chat", CHAT + "}");
    HttpResponse<String> openAi = post("/v1/chat/completions", CHAT + "}");

    assertThat(ollama.statusCode()).isEqualTo(500);
    assertThat(json.readTree(ollama.body()).path("error").asText()).isNotBlank();
    assertThat(openAi.statusCode()).isEqualTo(500);
    assertThat(json.readTree(openAi.body()).path("error").path("type").asText()).isEqualTo("server_error");
  }

  @Test
  void statsCountGenerationRequestsAndTheirOutcomes() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withControlRoutes(true));

    post("/api/chat", CHAT + "}");
    post("/v1/chat/completions", CHAT + "}");
    post("/api/embed", "{\"model\":\"fake-llama\",\"input\":\"hi\"}");
    get("/api/tags", "Bearer abc");
    JsonNode stats = json.readTree(get("/_fake/stats", null).body());

    assertThat(stats.path("requests").asInt()).isEqualTo(3);
    assertThat(stats.path("completed").asInt()).isEqualTo(3);
    assertThat(stats.path("active").asInt()).isZero();
    assertThat(stats.path("cancelled").asInt()).isZero();
    assertThat(stats.path("last_authorization").asText()).isEqualTo("Bearer abc");
    assertThat(fake.stats()).isEqualTo(new FakeOllama.Stats(3, 0, 3, 0, "Bearer abc"));
  }

  @Test
  void aClientLeavingMidStreamIsCountedAsCancelled() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withTokenRate(50).withTokens(500));

    FakeHttp http = new FakeHttp(fake);
    HttpResponse<InputStream> response = http.send(
        http.request("/api/chat").POST(HttpRequest.BodyPublishers.ofString(CHAT + "}")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).contains("\"done\":false");
    }

    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (fake.stats().cancelled() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(fake.stats().cancelled()).isEqualTo(1);
    assertThat(fake.stats().active()).isZero();
  }

  @Test
  void goingDownThroughTheFaultsHookAnswers503UntilRevived() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withControlRoutes(true));

    post("/_fake/faults", "{\"down\":true}");
    int whileDown = post("/api/chat", CHAT + "}").statusCode();
    JsonNode revived = json.readTree(post("/_fake/faults", "{\"down\":false}").body());

    assertThat(whileDown).isEqualTo(503);
    assertThat(revived.path("down").asBoolean()).isFalse();
    assertThat(post("/api/chat", CHAT + ",\"stream\":false}").statusCode()).isEqualTo(200);
  }

  @Test
  void withoutControlRoutesNoOneCanReadTheTrafficOrTakeTheFakeDown() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults());

    HttpResponse<String> down = post("/_fake/faults", "{\"down\":true}");
    HttpResponse<String> stats = get("/_fake/stats", null);
    HttpResponse<String> faults = get("/_fake/faults", null);

    assertThat(down.statusCode()).as("POST /_fake/faults").isEqualTo(404);
    assertThat(stats.statusCode()).as("GET /_fake/stats").isEqualTo(404);
    assertThat(faults.statusCode()).as("GET /_fake/faults").isEqualTo(404);
    assertThat(post("/api/chat", CHAT + ",\"stream\":false}").statusCode()).as("the fake is not down").isEqualTo(200);
  }

  @Test
  @Timeout(60)
  void theCommandsControlRoutesFlagServesTheTestHooks() throws Exception {
    Process command = FakeHttp.command("--control-routes");
    try (BufferedReader log = new BufferedReader(new InputStreamReader(command.getInputStream(), StandardCharsets.UTF_8))) {
      FakeHttp client = new FakeHttp(FakeHttp.listeningAt(log));

      assertThat(client.post("/_fake/faults", "{\"down\":true}").statusCode()).isEqualTo(200);
      assertThat(client.post("/api/chat", CHAT + "}").statusCode()).as("the fake is down").isEqualTo(503);
      assertThat(client.get("/_fake/stats", null).statusCode()).isEqualTo(200);
    } finally {
      command.destroy();
      command.waitFor();
    }
  }

  @Test
  void anOpenAiOnlyFakeHasNoOllamaRoutes() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI));

    assertThat(post("/api/chat", CHAT + "}").statusCode()).isEqualTo(404);
    assertThat(get("/v1/models", null).statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return new FakeHttp(fake).post(path, body);
  }

  private HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
    return new FakeHttp(fake).get(path, authorization);
  }

  private String content(HttpResponse<String> response) throws IOException {
    return json.readTree(response.body()).path("message").path("content").asText();
  }

  private static List<String> sseData(String body) {
    return FakeHttp.sseData(body);
  }
}
