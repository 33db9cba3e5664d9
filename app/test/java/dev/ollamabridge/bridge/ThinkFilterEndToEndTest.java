package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reasoning model behind an OpenAI-compatible API streams {@code <think>} in its content, one
 * token per chunk; clients of the bridge get clean content and the reasoning beside it.
 */
class ThinkFilterEndToEndTest {

  private final FakeOllama r1 =
      FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withThink(true).withTokens(6));
  private BridgeServer bridge;

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    r1.close();
  }

  @Test
  void anOpenAiClientGetsReasoningContentAndCleanContent() {
    bridge = TestBridges.start("--ollama", r1.baseUrl() + "/v1");

    String body = TestBridges.body(TestBridges.post(bridge, "/v1/chat/completions", chat(true)));

    StringBuilder content = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    for (JsonNode chunk : TestBridges.chunks(body)) {
      content.append(chunk.at("/choices/0/delta/content").asText(""));
      reasoning.append(chunk.at("/choices/0/delta/reasoning_content").asText(""));
    }
    assertThat(content.toString()).isNotBlank().doesNotContain("<think", "think>", "</");
    assertThat(reasoning.toString()).isNotBlank().doesNotContain("<think");
  }

  @Test
  void anOllamaClientGetsTheReasoningAsThinking() {
    bridge = TestBridges.start("--ollama", r1.baseUrl() + "/v1");

    JsonNode answer = TestBridges.json(TestBridges.post(bridge, "/api/chat", chat(false)));

    assertThat(answer.at("/message/content").asText()).isNotBlank().doesNotContain("<think");
    assertThat(answer.at("/message/thinking").asText()).isNotBlank();
  }

  @Test
  void withTheFilterDisabledTheContentIsUntouched() {
    bridge = TestBridges.start("--ollama", r1.baseUrl() + "/v1", "--disable-think-filter");

    JsonNode answer = TestBridges.json(TestBridges.post(bridge, "/v1/chat/completions", chat(false)));

    assertThat(answer.at("/choices/0/message/content").asText()).startsWith("<think>").contains("</think>");
    assertThat(answer.at("/choices/0/message/reasoning_content").isMissingNode()).isTrue();
  }

  @Test
  void anOllamaClientThatAsksForNoThinkingGetsNoneFromABackendThatCannotBeTold() {
    bridge = TestBridges.start("--ollama", r1.baseUrl() + "/v1");
    String noThinking = """
        {"model":"fake-r1","stream":%s,"think":false,"messages":[{"role":"user","content":"Think first"}]}""";

    JsonNode whole = TestBridges.json(TestBridges.post(bridge, "/api/chat", noThinking.formatted(false)));
    String streamed = TestBridges.body(TestBridges.post(bridge, "/api/chat", noThinking.formatted(true)));

    assertThat(whole.at("/message/content").asText()).isNotBlank().doesNotContain("<think");
    assertThat(whole.at("/message/thinking").asText("")).isEmpty();
    StringBuilder content = new StringBuilder();
    for (String line : streamed.split("\n")) {
      JsonNode chunk = TestBridges.json(line);
      assertThat(chunk.at("/message/thinking").asText("")).isEmpty();
      content.append(chunk.at("/message/content").asText(""));
    }
    assertThat(content.toString()).isEqualTo(whole.at("/message/content").asText());
  }

  private static String chat(boolean stream) {
    return """
        {"model":"fake-r1","stream":%s,"messages":[{"role":"user","content":"Think first"}]}""".formatted(stream);
  }
}
