package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI Java SDK asks a bridge in front of an Ollama backend for log probabilities: it gets
 * Ollama's, translated, whole and streamed, for chat and completions; none from a backend that
 * ignores them; the same again from the cache; and a 400 naming the field for a bad count.
 */
class OpenAiSdkLogprobsTest {

  @TempDir
  static Path cacheDir;

  private static FakeOllama ollama;
  private static FakeOllama ignoring;
  private static FakeOllama thinking;
  private static BridgeServer bridge;
  private static BridgeServer ignoringBridge;
  private static BridgeServer thinkingBridge;
  private static OpenAIClient client;
  private static OpenAIClient ignoringClient;
  private static OpenAIClient thinkingClient;

  @BeforeAll
  static void start() throws Exception {
    ollama = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(6));
    ignoring = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(6).withLogprobs(false));
    thinking = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(6).withThink(true));
    bridge = TestBridges.inFrontOf(ollama, "--enable-cache", "--cache-dir", Files.createDirectories(cacheDir.resolve("c")).toString());
    ignoringBridge = TestBridges.inFrontOf(ignoring);
    thinkingBridge = TestBridges.inFrontOf(thinking);
    client = client(bridge);
    ignoringClient = client(ignoringBridge);
    thinkingClient = client(thinkingBridge);
  }

  @AfterAll
  static void stop() {
    for (OpenAIClient each : new OpenAIClient[] {client, ignoringClient, thinkingClient}) {
      if (each != null) {
        each.close();
      }
    }
    TestBridges.close(bridge);
    TestBridges.close(ignoringBridge);
    TestBridges.close(thinkingBridge);
    for (FakeOllama fake : new FakeOllama[] {ollama, ignoring, thinking}) {
      if (fake != null) {
        fake.close();
      }
    }
  }

  @Test
  void aWholeChatAnswerCarriesOllamasLogprobsAsContentEntries() {
    ChatCompletion completion = client.chat().completions().create(question("Why is the sky blue?", 3));

    ChatCompletion.Choice choice = completion.choices().get(0);
    List<ChatCompletionTokenLogprob> content = choice.logprobs().orElseThrow().content().orElseThrow();
    assertThat(tokens(content)).isEqualTo(choice.message().content().orElseThrow());
    assertThat(content).allSatisfy(entry -> {
      assertThat(entry.logprob()).isNegative();
      assertThat(entry.topLogprobs()).hasSize(3);
      assertThat(entry.topLogprobs().get(0).token()).isEqualTo(entry.token());
    });
    assertThat(choice.logprobs().orElseThrow().refusal()).isEmpty();
    JsonNode direct = ollamaDirect("/api/chat", "{\"model\":\"fake-llama\",\"stream\":false,\"logprobs\":true,\"top_logprobs\":3,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is the sky blue?\"}]}");
    assertThat(content).extracting(ChatCompletionTokenLogprob::logprob)
        .containsExactlyElementsOf(doubles(direct.path("logprobs"), "logprob"));
  }

  @Test
  void aStreamedChatAnswerCarriesEachPiecesEntriesTheSameAsTheWholeAnswer() {
    List<ChatCompletionTokenLogprob> whole = client.chat().completions().create(question("Tell me a story", 2))
        .choices().get(0).logprobs().orElseThrow().content().orElseThrow();

    List<ChatCompletionTokenLogprob> streamed = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(question("Tell me a story", 2))) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
        choice.delta().content().ifPresent(text::append);
        choice.logprobs().flatMap(ChatCompletionChunk.Choice.Logprobs::content).ifPresent(streamed::addAll);
      }));
    }

    assertThat(streamed).hasSize(6);
    assertThat(tokens(streamed)).isEqualTo(text.toString());
    assertThat(streamed).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(whole);
  }

  @Test
  void aCompletionGetsTheLegacyListsFromOllamasGenerate() {
    Completion completion = client.completions().create(CompletionCreateParams.builder()
        .model("fake-llama").prompt("Once upon a time").logprobs(2L).build());

    CompletionChoice choice = completion.choices().get(0);
    CompletionChoice.Logprobs logprobs = choice.logprobs().orElseThrow();
    assertThat(String.join("", logprobs.tokens().orElseThrow())).isEqualTo(choice.text());
    assertThat(logprobs.tokenLogprobs().orElseThrow()).hasSize(6).allSatisfy(value -> assertThat(value).isNegative());
    assertThat(logprobs.topLogprobs().orElseThrow()).allSatisfy(top -> assertThat(top._additionalProperties()).hasSize(2));
    assertThat(logprobs.textOffset().orElseThrow().get(0)).isZero();
    assertThat(logprobs.topLogprobs().orElseThrow().get(0)._additionalProperties()).containsKey(logprobs.tokens().orElseThrow().get(0));
  }

  @Test
  void aStreamedCompletionGetsEachPiecesLegacyListsWithOffsetsIntoTheWholeText() {
    StringBuilder text = new StringBuilder();
    List<String> tokens = new ArrayList<>();
    List<Long> offsets = new ArrayList<>();
    try (StreamResponse<Completion> stream = client.completions().createStreaming(CompletionCreateParams.builder()
        .model("fake-llama").prompt("Once upon a time").logprobs(1L).build())) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
        text.append(choice.text());
        choice.logprobs().ifPresent(logprobs -> {
          tokens.addAll(logprobs.tokens().orElseThrow());
          offsets.addAll(logprobs.textOffset().orElseThrow());
        });
      }));
    }

    assertThat(tokens).hasSize(6);
    assertThat(String.join("", tokens)).isEqualTo(text.toString());
    for (int i = 0; i < tokens.size(); i++) {
      assertThat(text.substring(offsets.get(i).intValue())).startsWith(tokens.get(i));
    }
  }

  @Test
  void aBackendThatIgnoresThemLeavesThemNullNeverInvented() {
    ChatCompletion completion = ignoringClient.chat().completions().create(question("Why is the sky blue?", 3));
    List<Boolean> streamedAny = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream =
        ignoringClient.chat().completions().createStreaming(question("Why is the sky blue?", 3))) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> streamedAny.add(choice.logprobs().isPresent())));
    }

    assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(text -> assertThat(text).isNotBlank());
    assertThat(completion.choices().get(0).logprobs()).isEmpty();
    assertThat(streamedAny).isNotEmpty().containsOnly(false);
  }

  @Test
  void notAskingGetsNone() {
    ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("fake-llama").addUserMessage("Why is the sky blue?").build());

    assertThat(completion.choices().get(0).logprobs()).isEmpty();
  }

  @Test
  void aCacheHitReplaysTheSameLogprobsWholeAndStreamed() {
    String body = "{\"model\":\"fake-llama\",\"logprobs\":true,\"top_logprobs\":2,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Remember this one\"}]}";
    Response first = TestBridges.post(bridge, "/v1/chat/completions", body);
    assertThat(first.header("bridge-cache-hit")).isEqualTo("false");
    JsonNode stored = TestBridges.json(first).path("choices").path(0).path("logprobs");

    Response second = TestBridges.post(bridge, "/v1/chat/completions", body);
    assertThat(second.header("bridge-cache-hit")).isEqualTo("true");
    JsonNode replayed = TestBridges.json(second).path("choices").path(0).path("logprobs");
    Response streamed = TestBridges.post(bridge, "/v1/chat/completions", body.replaceFirst("\\{", "{\"stream\":true,"));
    assertThat(streamed.header("bridge-cache-hit")).isEqualTo("true");
    List<JsonNode> streamedEntries = new ArrayList<>();
    TestBridges.chunks(TestBridges.body(streamed))
        .forEach(chunk -> chunk.path("choices").path(0).path("logprobs").path("content").forEach(streamedEntries::add));

    assertThat(stored.path("content").size()).isEqualTo(6);
    assertThat(replayed).isEqualTo(stored);
    assertThat(streamedEntries).containsExactlyElementsOf(stored.path("content"));
  }

  @Test
  void aBadCountIsRefusedWithA400NamingTheField() {
    JsonNode chat = TestBridges.json(TestBridges.post(bridge, "/v1/chat/completions",
        "{\"model\":\"fake-llama\",\"logprobs\":true,\"top_logprobs\":21,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));
    Response legacy = TestBridges.post(bridge, "/v1/completions", "{\"model\":\"fake-llama\",\"prompt\":\"Hi\",\"logprobs\":-1}");

    assertThat(chat.path("error").path("param").asText()).isEqualTo("top_logprobs");
    assertThat(chat.path("error").path("message").asText()).contains("top_logprobs", "0 to 20");
    assertThat(legacy.code()).isEqualTo(400);
    assertThat(TestBridges.json(legacy).path("error").path("param").asText()).isEqualTo("logprobs");
  }

  @Test
  void theThinkFilterKeepsTheLogprobsOfThinkingOutOfTheContents() {
    ChatCompletion whole = thinkingClient.chat().completions().create(question("Think first", 1));
    List<ChatCompletionTokenLogprob> streamed = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream =
        thinkingClient.chat().completions().createStreaming(question("Think first", 1))) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(choice ->
          choice.logprobs().flatMap(ChatCompletionChunk.Choice.Logprobs::content).ifPresent(streamed::addAll)));
    }

    ChatCompletion.Choice choice = whole.choices().get(0);
    List<ChatCompletionTokenLogprob> content = choice.logprobs().orElseThrow().content().orElseThrow();
    assertThat(choice.message().content().orElseThrow()).doesNotContain("think");
    assertThat(tokens(content)).isEqualTo(choice.message().content().orElseThrow());
    assertThat(content).hasSize(6);
    assertThat(streamed).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(content);
  }

  private static OpenAIClient client(BridgeServer server) {
    return OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(server, "/v1")).apiKey("unused").maxRetries(0).build();
  }

  private static ChatCompletionCreateParams question(String text, long top) {
    return ChatCompletionCreateParams.builder().model("fake-llama").addUserMessage(text).logprobs(true).topLogprobs(top).build();
  }

  private static String tokens(List<ChatCompletionTokenLogprob> entries) {
    StringBuilder text = new StringBuilder();
    entries.forEach(entry -> text.append(entry.token()));
    return text.toString();
  }

  private static JsonNode ollamaDirect(String path, String body) {
    return TestBridges.json(TestBridges.execute(new okhttp3.Request.Builder().url(ollama.baseUrl() + path)
        .post(okhttp3.RequestBody.create(body, okhttp3.MediaType.get("application/json"))).build()));
  }

  private static List<Double> doubles(JsonNode entries, String field) {
    List<Double> values = new ArrayList<>();
    entries.forEach(entry -> values.add(entry.path(field).asDouble()));
    return values;
  }
}
