package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, through a bridge, in front of a backend that only speaks Ollama. */
class OpenAiSdkTest {

  private static FakeOllama ollama;
  private static BridgeServer bridge;
  private static OpenAIClient client;

  @BeforeAll
  static void start() {
    ollama = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(12));
    bridge = TestBridges.inFrontOf(ollama);
    client = OpenAIOkHttpClient.builder()
        .baseUrl(TestBridges.url(bridge, "/v1"))
        .apiKey("unused")
        .maxRetries(0)
        .build();
  }

  @AfterAll
  static void stop() {
    client.close();
    TestBridges.close(bridge);
    ollama.close();
  }

  @Test
  void getsAWholeAnswerWithUsage() {
    ChatCompletion completion = client.chat().completions().create(question("Why is the sky blue?"));

    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(text -> assertThat(text).isNotBlank());
    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage()).hasValueSatisfying(usage -> {
      assertThat(usage.completionTokens()).isEqualTo(12);
      assertThat(usage.promptTokens()).isPositive();
    });
  }

  @Test
  void getsTheSameAnswerStreamedChunkByChunk() {
    String whole = client.chat().completions().create(question("Tell me a story")).choices().get(0).message().content().orElseThrow();

    List<String> pieces = new ArrayList<>();
    List<String> finishReasons = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(question("Tell me a story"))) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
        choice.delta().content().ifPresent(pieces::add);
        choice.finishReason().ifPresent(reason -> finishReasons.add(reason.asString()));
      }));
    }

    assertThat(pieces.stream().filter(piece -> !piece.isEmpty())).hasSizeGreaterThan(1);
    assertThat(String.join("", pieces)).isEqualTo(whole);
    assertThat(finishReasons).containsExactly("stop");
  }

  @Test
  void listsTheBackendsModels() {
    List<String> ids = client.models().list().data().stream().map(Model::id).toList();

    assertThat(ids).containsExactlyInAnyOrder("fake-llama", "fake-r1");
  }

  @Test
  void askingForSeveralChoicesFromAnOllamaBackendIsA400NamingN() {
    ChatCompletionCreateParams twoChoices = question("Two answers, please").toBuilder().n(2).build();

    assertThatThrownBy(() -> client.chat().completions().create(twoChoices))
        .isInstanceOf(com.openai.errors.BadRequestException.class)
        .hasMessageContaining("n must be 1");
  }

  private static ChatCompletionCreateParams question(String text) {
    return ChatCompletionCreateParams.builder().model("fake-llama").addUserMessage(text).build();
  }
}
