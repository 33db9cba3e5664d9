package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repeated questions are answered from the cache, in any mode and dialect, across bridges. */
class CacheTest {

  private static final String OPENAI_CHAT = """
      {"model":"fake-llama","messages":[{"role":"user","content":"What is a cache?"}],"stream":%s}""";
  private static final String OLLAMA_CHAT = """
      {"model":"fake-llama","messages":[{"role":"user","content":"What is a cache?"}],"stream":%s}""";

  @TempDir Path cacheDir;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(8));
  private BridgeServer first;
  private BridgeServer second;

  @AfterEach
  void stop() {
    TestBridges.close(first);
    TestBridges.close(second);
    backend.close();
  }

  @Test
  void aRepeatedRequestIsAHitInBothModesAndBothDialects() {
    first = cachingBridge();
    Response miss = TestBridges.post(first, "/v1/chat/completions", OPENAI_CHAT.formatted(false));
    assertThat(miss.header("bridge-cache-hit")).isEqualTo("false");
    String answer = TestBridges.json(miss).at("/choices/0/message/content").asText();

    Response openAiWhole = TestBridges.post(first, "/v1/chat/completions", OPENAI_CHAT.formatted(false));
    Response openAiStream = TestBridges.post(first, "/v1/chat/completions", OPENAI_CHAT.formatted(true));
    Response ollamaWhole = TestBridges.post(first, "/api/chat", OLLAMA_CHAT.formatted(false));
    Response ollamaStream = TestBridges.post(first, "/api/chat", OLLAMA_CHAT.formatted(true));

    for (Response hit : List.of(openAiWhole, openAiStream, ollamaWhole, ollamaStream)) {
      assertThat(hit.code()).isEqualTo(200);
      assertThat(hit.header("bridge-cache-hit")).isEqualTo("true");
    }
    assertThat(TestBridges.json(openAiWhole).at("/choices/0/message/content").asText()).isEqualTo(answer);
    assertThat(streamedContent(TestBridges.body(openAiStream))).isEqualTo(answer);
    assertThat(TestBridges.json(ollamaWhole).at("/message/content").asText()).isEqualTo(answer);
    assertThat(streamedContent(TestBridges.body(ollamaStream))).isEqualTo(answer);
    assertThat(backend.stats().requests()).as("only the first request reached the backend").isEqualTo(1);
  }

  @Test
  void twoBridgesShareOneCacheDirectory() {
    first = cachingBridge();
    second = cachingBridge();

    String answer = TestBridges.json(TestBridges.post(first, "/api/chat", OLLAMA_CHAT.formatted(false))).at("/message/content").asText();
    Response fromSecond = TestBridges.post(second, "/api/chat", OLLAMA_CHAT.formatted(false));

    assertThat(fromSecond.header("bridge-cache-hit")).isEqualTo("true");
    assertThat(TestBridges.json(fromSecond).at("/message/content").asText()).isEqualTo(answer);
    assertThat(backend.stats().requests()).isEqualTo(1);
  }

  @Test
  void aDifferentQuestionOrModelIsAMiss() {
    first = cachingBridge();
    TestBridges.body(TestBridges.post(first, "/api/chat", OLLAMA_CHAT.formatted(false)));

    Response otherModel = TestBridges.post(first, "/api/chat", OLLAMA_CHAT.formatted(false).replace("fake-llama", "fake-r1"));
    Response otherQuestion = TestBridges.post(first, "/api/chat", OLLAMA_CHAT.formatted(false).replace("cache", "proxy"));

    assertThat(otherModel.header("bridge-cache-hit")).isEqualTo("false");
    assertThat(otherQuestion.header("bridge-cache-hit")).isEqualTo("false");
    TestBridges.body(otherModel);
    TestBridges.body(otherQuestion);
  }

  @Test
  void anAnswerThatFailedIsNotStored() {
    first = cachingBridge();
    String unknownModel = OLLAMA_CHAT.formatted(false).replace("fake-llama", "no-such-model");

    Response failed = TestBridges.post(first, "/api/chat", unknownModel);
    Response again = TestBridges.post(first, "/api/chat", unknownModel);

    assertThat(failed.code()).isEqualTo(404);
    assertThat(again.code()).isEqualTo(404);
    assertThat(again.header("bridge-cache-hit")).isEqualTo("false");
    failed.close();
    again.close();
  }

  private BridgeServer cachingBridge() {
    return TestBridges.inFrontOf(backend, "--enable-cache", "--cache-dir", cacheDir.toString());
  }

  /** The answer text of an SSE or NDJSON stream, in either dialect. */
  static String streamedContent(String body) {
    StringBuilder content = new StringBuilder();
    for (JsonNode chunk : TestBridges.chunks(body)) {
      content.append(chunk.at("/choices/0/delta/content").asText(""));
      content.append(chunk.at("/message/content").asText(""));
    }
    return content.toString();
  }
}
