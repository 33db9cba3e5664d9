package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An Ollama client asks a bridge in front of an OpenAI-compatible backend for log probabilities, in
 * Ollama's own JSON (ollama4j 1.1.6 has no field for them): it gets the backend's, translated, as
 * Ollama's top-level {@code logprobs}, whole and per streamed line, for chat and generate.
 */
class OllamaLogprobsTest {

  private static final String CHAT =
      "{\"model\":\"fake-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"Why is the sky blue?\"}],"
          + "\"logprobs\":true,\"top_logprobs\":2";

  private static FakeOllama openAi;
  private static FakeOllama ignoring;
  private static BridgeServer bridge;
  private static BridgeServer ignoringBridge;

  @BeforeAll
  static void start() {
    openAi = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withTokens(5));
    ignoring = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withTokens(5).withLogprobs(false));
    bridge = TestBridges.start("--ollama", openAi.baseUrl() + "/v1");
    ignoringBridge = TestBridges.start("--ollama", ignoring.baseUrl() + "/v1");
  }

  @AfterAll
  static void stop() {
    TestBridges.close(bridge);
    TestBridges.close(ignoringBridge);
    if (openAi != null) {
      openAi.close();
    }
    if (ignoring != null) {
      ignoring.close();
    }
  }

  @Test
  void aWholeChatAnswerCarriesTheBackendsEntriesAsOllamasList() {
    JsonNode answer = TestBridges.json(TestBridges.post(bridge, "/api/chat", CHAT + ",\"stream\":false}"));
    JsonNode direct = TestBridges.json(TestBridges.execute(new Request.Builder().url(openAi.baseUrl() + "/v1/chat/completions")
        .post(RequestBody.create(CHAT + "}", MediaType.get("application/json"))).build()));

    JsonNode logprobs = answer.path("logprobs");
    assertThat(tokens(logprobs)).isEqualTo(answer.path("message").path("content").asText());
    assertThat(logprobs).hasSize(5).allSatisfy(entry -> {
      assertThat(entry.path("top_logprobs")).hasSize(2);
      assertThat(entry.path("top_logprobs").get(0).path("token").asText()).isEqualTo(entry.path("token").asText());
      assertThat(entry.path("bytes").isArray()).isTrue();
    });
    assertThat(logprobs).isEqualTo(direct.path("choices").path(0).path("logprobs").path("content"));
  }

  @Test
  void aStreamedChatCarriesEachLinesOwnEntriesTheSameAsTheWholeAnswer() {
    JsonNode whole = TestBridges.json(TestBridges.post(bridge, "/api/chat", CHAT + ",\"stream\":false}")).path("logprobs");

    List<JsonNode> entries = new ArrayList<>();
    for (JsonNode line : TestBridges.chunks(TestBridges.body(TestBridges.post(bridge, "/api/chat", CHAT + "}")))) {
      String content = line.path("message").path("content").asText();
      if (!content.isEmpty()) {
        assertThat(tokens(line.path("logprobs"))).isEqualTo(content);
      }
      line.path("logprobs").forEach(entries::add);
    }

    assertThat(entries).hasSize(5).containsExactlyElementsOf(whole);
  }

  @Test
  void generateAsksTheBackendsChatAndGetsItsEntriesWholeAndStreamed() {
    String generate = "{\"model\":\"fake-llama\",\"prompt\":\"Once upon a time\",\"logprobs\":true,\"top_logprobs\":1";
    JsonNode whole = TestBridges.json(TestBridges.post(bridge, "/api/generate", generate + ",\"stream\":false}"));
    List<JsonNode> streamed = new ArrayList<>();
    TestBridges.chunks(TestBridges.body(TestBridges.post(bridge, "/api/generate", generate + "}")))
        .forEach(line -> line.path("logprobs").forEach(streamed::add));

    assertThat(tokens(whole.path("logprobs"))).isEqualTo(whole.path("response").asText());
    assertThat(whole.path("logprobs")).allSatisfy(entry -> assertThat(entry.path("top_logprobs")).hasSize(1));
    assertThat(streamed).containsExactlyElementsOf(whole.path("logprobs"));
  }

  @Test
  void anOpenAiClientOfTheSameBackendGetsItsLogprobsUntouchedWholeAndStreamed() {
    String completion = "{\"model\":\"fake-llama\",\"prompt\":\"Once upon a time\",\"logprobs\":2}";
    JsonNode direct = TestBridges.json(TestBridges.execute(new Request.Builder().url(openAi.baseUrl() + "/v1/completions")
        .post(RequestBody.create(completion, MediaType.get("application/json"))).build()));
    JsonNode whole = TestBridges.json(TestBridges.post(bridge, "/v1/completions", completion));
    List<JsonNode> streamed = TestBridges.chunks(TestBridges.body(
        TestBridges.post(bridge, "/v1/chat/completions", CHAT.replaceFirst("\\{", "{\"stream\":true,") + "}")));

    assertThat(whole.at("/choices/0/logprobs")).isEqualTo(direct.at("/choices/0/logprobs"));
    assertThat(streamed).filteredOn(chunk -> !chunk.at("/choices/0/delta/content").asText().isEmpty())
        .hasSize(5)
        .allSatisfy(chunk -> assertThat(chunk.at("/choices/0/logprobs/content/0/token").asText())
            .isEqualTo(chunk.at("/choices/0/delta/content").asText()));
  }

  @Test
  void aBackendThatIgnoresThemLeavesThemOutAsOllamaDoes() {
    JsonNode whole = TestBridges.json(TestBridges.post(ignoringBridge, "/api/chat", CHAT + ",\"stream\":false}"));
    List<JsonNode> lines = TestBridges.chunks(TestBridges.body(TestBridges.post(ignoringBridge, "/api/chat", CHAT + "}")));

    assertThat(whole.path("message").path("content").asText()).isNotBlank();
    assertThat(whole.has("logprobs")).isFalse();
    assertThat(lines).isNotEmpty().noneMatch(line -> line.has("logprobs"));
  }

  @Test
  void aBadCountIsRefusedWithA400NamingTheField() {
    Response tooMany = TestBridges.post(bridge, "/api/chat", CHAT.replace("\"top_logprobs\":2", "\"top_logprobs\":99") + "}");
    Response notABoolean = TestBridges.post(bridge, "/api/generate", "{\"model\":\"fake-llama\",\"prompt\":\"Hi\",\"logprobs\":\"yes\"}");

    assertThat(tooMany.code()).isEqualTo(400);
    assertThat(TestBridges.json(tooMany).path("error").asText()).contains("top_logprobs", "0 to 20");
    assertThat(notABoolean.code()).isEqualTo(400);
    assertThat(TestBridges.json(notABoolean).path("error").asText()).contains("logprobs");
  }

  private static String tokens(JsonNode entries) {
    StringBuilder text = new StringBuilder();
    entries.forEach(entry -> text.append(entry.path("token").asText()));
    return text.toString();
  }
}
