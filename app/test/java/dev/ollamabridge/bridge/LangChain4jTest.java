package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j, a client library many Java users pick, on both sides of the bridge: its OpenAI
 * module in front of an Ollama backend and its Ollama module in front of an OpenAI-compatible one.
 */
class LangChain4jTest {

  private static FakeOllama ollama;
  private static FakeOllama openAi;
  private static BridgeServer toOllama;
  private static BridgeServer toOpenAi;

  @BeforeAll
  static void start() {
    ollama = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(6));
    openAi = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withTokens(6));
    toOllama = TestBridges.inFrontOf(ollama);
    toOpenAi = TestBridges.start("--ollama", openAi.baseUrl() + "/v1");
  }

  @AfterAll
  static void stop() {
    TestBridges.close(toOllama);
    TestBridges.close(toOpenAi);
    ollama.close();
    openAi.close();
  }

  @Test
  void theOpenAiModuleChatsAndEmbedsThroughABridgeToOllama() {
    ChatModel chat = OpenAiChatModel.builder().baseUrl(TestBridges.url(toOllama, "/v1")).apiKey("unused")
        .modelName("fake-llama").timeout(Duration.ofSeconds(30)).maxRetries(0).build();
    OpenAiEmbeddingModel embeddings = OpenAiEmbeddingModel.builder().baseUrl(TestBridges.url(toOllama, "/v1"))
        .apiKey("unused").modelName("fake-llama").timeout(Duration.ofSeconds(30)).maxRetries(0).build();

    assertThat(chat.chat("Why is the sky blue?")).isNotBlank();
    Embedding vector = embeddings.embed("the quick brown fox").content();
    Embedding direct = OllamaEmbeddingModel.builder().baseUrl(ollama.baseUrl()).modelName("fake-llama").build()
        .embed("the quick brown fox").content();
    assertThat(vector.vector()).containsExactly(direct.vector());
  }

  @Test
  void theOllamaModuleChatsAndEmbedsThroughABridgeToAnOpenAiBackend() {
    ChatModel chat = OllamaChatModel.builder().baseUrl(TestBridges.url(toOpenAi, "")).modelName("fake-llama")
        .timeout(Duration.ofSeconds(30)).maxRetries(0).build();
    OllamaEmbeddingModel embeddings = OllamaEmbeddingModel.builder().baseUrl(TestBridges.url(toOpenAi, ""))
        .modelName("fake-llama").timeout(Duration.ofSeconds(30)).maxRetries(0).build();

    assertThat(chat.chat("Why is the sky blue?")).isNotBlank();
    assertThat(embeddings.embed("the quick brown fox").content().vector()).hasSizeGreaterThan(1);
  }
}
