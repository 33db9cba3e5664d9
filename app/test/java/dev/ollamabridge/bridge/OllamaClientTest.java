package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResult;
import io.github.ollama4j.models.response.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An Ollama Java client (ollama4j), through a bridge, in front of a backend that only speaks OpenAI. */
class OllamaClientTest {

  private static FakeOllama openAi;
  private static BridgeServer bridge;
  private static Ollama client;

  @BeforeAll
  static void start() {
    openAi = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withTokens(10));
    bridge = TestBridges.start("--ollama", openAi.baseUrl() + "/v1");
    client = new Ollama(TestBridges.url(bridge, ""));
    client.setRequestTimeoutSeconds(30);
  }

  @AfterAll
  static void stop() {
    TestBridges.close(bridge);
    openAi.close();
  }

  @Test
  void getsAWholeChatAnswerWithCounts() throws Exception {
    OllamaChatResult result = client.chat(question("Why is the sky blue?"), null);

    assertThat(result.getResponseModel().getMessage().getResponse()).isNotBlank();
    assertThat(result.getResponseModel().isDone()).isTrue();
    assertThat(result.getResponseModel().getEvalCount()).isEqualTo(10);
  }

  @Test
  void getsTheSameChatAnswerStreamed() throws Exception {
    String whole = client.chat(question("Tell me a story"), null).getResponseModel().getMessage().getResponse();

    List<String> pieces = new ArrayList<>();
    OllamaChatRequest streamed = question("Tell me a story").withStreaming();
    OllamaChatResult result = client.chat(streamed, chunk -> pieces.add(chunk.getMessage().getResponse()));

    assertThat(pieces.stream().filter(piece -> piece != null && !piece.isEmpty())).hasSizeGreaterThan(1);
    assertThat(result.getResponseModel().getMessage().getResponse()).isEqualTo(whole);
  }

  @Test
  void listsTheBackendsModelsAsTags() throws Exception {
    List<String> names = client.listModels().stream().map(Model::getName).toList();

    assertThat(names).containsExactlyInAnyOrder("fake-llama", "fake-r1");
  }

  private static OllamaChatRequest question(String text) {
    return OllamaChatRequest.builder().withModel("fake-llama").withMessage(OllamaChatMessageRole.USER, text).build();
  }
}
