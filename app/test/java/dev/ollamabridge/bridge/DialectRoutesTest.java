package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Completions, embeddings and model routes work across dialects, in both directions. */
class DialectRoutesTest {

  private static FakeOllama ollamaOnly;
  private static FakeOllama openAiOnly;
  /** OpenAI clients in front of an Ollama backend. */
  private static BridgeServer toOllama;
  /** Ollama clients in front of an OpenAI-compatible backend. */
  private static BridgeServer toOpenAi;

  @BeforeAll
  static void start() {
    ollamaOnly = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(7));
    openAiOnly = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withTokens(7));
    toOllama = TestBridges.inFrontOf(ollamaOnly);
    toOpenAi = TestBridges.start("--ollama", openAiOnly.baseUrl() + "/v1");
  }

  @AfterAll
  static void stop() {
    TestBridges.close(toOllama);
    TestBridges.close(toOpenAi);
    ollamaOnly.close();
    openAiOnly.close();
  }

  @Test
  void anOllamaGenerateIsAnsweredByAnOpenAiBackend() {
    JsonNode whole = TestBridges.json(TestBridges.post(toOpenAi, "/api/generate", """
        {"model":"fake-llama","prompt":"Why is the sky blue?","system":"Be brief.","stream":false}"""));
    List<JsonNode> lines = TestBridges.chunks(TestBridges.body(TestBridges.post(toOpenAi, "/api/generate", """
        {"model":"fake-llama","prompt":"Why is the sky blue?","system":"Be brief."}""")));

    assertThat(whole.path("response").asText()).isNotBlank();
    assertThat(whole.path("done").asBoolean()).isTrue();
    assertThat(whole.path("eval_count").asInt()).isEqualTo(7);
    StringBuilder streamed = new StringBuilder();
    lines.forEach(line -> streamed.append(line.path("response").asText()));
    assertThat(streamed.toString()).isEqualTo(whole.path("response").asText());
    assertThat(lines.get(lines.size() - 1).path("done").asBoolean()).isTrue();
  }

  @Test
  void anOpenAiCompletionIsAnsweredByAnOllamaBackend() {
    JsonNode whole = TestBridges.json(TestBridges.post(toOllama, "/v1/completions", """
        {"model":"fake-llama","prompt":"Once upon a time","max_tokens":5}"""));

    assertThat(whole.path("object").asText()).isEqualTo("text_completion");
    assertThat(whole.at("/choices/0/text").asText()).isNotBlank();
    assertThat(whole.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(whole.at("/usage/completion_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void embeddingsAreTranslatedBothWays() {
    JsonNode openAi = TestBridges.json(TestBridges.post(toOllama, "/v1/embeddings", """
        {"model":"fake-llama","input":["first","second"]}"""));
    JsonNode ollama = TestBridges.json(TestBridges.post(toOpenAi, "/api/embed", """
        {"model":"fake-llama","input":"first"}"""));

    assertThat(openAi.path("data")).hasSize(2);
    assertThat(openAi.at("/data/1/index").asInt()).isEqualTo(1);
    assertThat(openAi.at("/data/0/embedding")).hasSize(8);
    assertThat(ollama.path("embeddings")).hasSize(1);
    assertThat(ollama.at("/embeddings/0")).isEqualTo(openAi.at("/data/0/embedding"));
  }

  @Test
  void ollamaModelRoutesAnswerInFrontOfAnOpenAiBackend() {
    Response show = TestBridges.post(toOpenAi, "/api/show", "{\"model\":\"fake-r1\"}");
    Response missing = TestBridges.post(toOpenAi, "/api/show", "{\"model\":\"nope\"}");

    assertThat(show.code()).isEqualTo(200);
    assertThat(TestBridges.json(show).path("capabilities").get(0).asText()).isEqualTo("completion");
    assertThat(missing.code()).isEqualTo(404);
    assertThat(TestBridges.json(missing).path("error").asText()).contains("nope");
    assertThat(TestBridges.json(TestBridges.get(toOpenAi, "/api/version")).path("version").asText()).isNotBlank();
    assertThat(TestBridges.json(TestBridges.get(toOpenAi, "/api/ps")).path("models").isArray()).isTrue();
  }

  @Test
  void sameDialectModelRoutesPassThrough() {
    JsonNode version = TestBridges.json(TestBridges.get(toOllama, "/api/version"));
    JsonNode show = TestBridges.json(TestBridges.post(toOllama, "/api/show", "{\"model\":\"fake-llama\"}"));

    assertThat(version.path("version").asText()).isEqualTo("0.12.0");
    assertThat(show.at("/details/format").asText()).isEqualTo("gguf");
  }
}
