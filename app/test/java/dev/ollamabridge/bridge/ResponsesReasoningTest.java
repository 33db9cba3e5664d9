package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseReasoningItem;
import com.openai.models.responses.ResponseStreamEvent;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reasoning model's thoughts through {@code /v1/responses}, as clients read them: the reasoning
 * item's {@code summary} (all the Vercel AI SDK reads, whole and streamed as
 * {@code response.reasoning_summary_*}) and its {@code content} ({@code reasoning_text}), both the
 * reasoning the backend sent, and {@code output_tokens_details.reasoning_tokens} as the backend
 * counted them. Behind an Ollama backend (which counts none) and an OpenAI-compatible one (which
 * does), both thinking in {@code <think>} tags that the bridge's think filter takes out.
 */
class ResponsesReasoningTest {

  private static final String QUESTION = "Why is the sky blue?";
  private static final String REQUEST = """
      {"model":"fake-llama","input":"%s","stream":%s}""";

  @TempDir
  static Path cacheDir;

  private static FakeOllama ollama;
  private static FakeOllama openAi;
  private static BridgeServer toOllama;
  private static BridgeServer toOpenAi;

  /** A bridge and what its backend said when asked directly: its reasoning and its count of reasoning tokens. */
  private record Backend(String name, BridgeServer bridge, String reasoning, long reasoningTokens) {}

  private static List<Backend> backends;

  @BeforeAll
  static void start() {
    ollama = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(6).withThink(true));
    openAi = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withTokens(6).withThink(true));
    toOllama = TestBridges.inFrontOf(ollama);
    toOpenAi = TestBridges.start("--ollama", openAi.baseUrl() + "/v1");

    JsonNode fromOllama = ask(ollama.baseUrl() + "/api/chat", false);
    JsonNode fromOpenAi = ask(openAi.baseUrl() + "/v1/chat/completions", true);
    assertThat(fromOllama.path("message").has("thinking")).as("Ollama counts no reasoning tokens apart").isFalse();
    backends = List.of(
        new Backend("ollama", toOllama, thought(fromOllama.at("/message/content").asText()), 0),
        new Backend("openai", toOpenAi, thought(fromOpenAi.at("/choices/0/message/content").asText()),
            fromOpenAi.at("/usage/completion_tokens_details/reasoning_tokens").asLong()));
    assertThat(backends.get(1).reasoningTokens()).as("the OpenAI-dialect fake counts its reasoning").isPositive();
  }

  @AfterAll
  static void stop() {
    TestBridges.close(toOllama);
    TestBridges.close(toOpenAi);
    ollama.close();
    openAi.close();
  }

  @Test
  void aWholeResponseCarriesTheReasoningAsSummaryAndContentAndCountsItsTokens() {
    for (Backend backend : backends) {
      JsonNode response = TestBridges.json(TestBridges.post(backend.bridge(), "/v1/responses",
          REQUEST.formatted(QUESTION, false)));

      JsonNode reasoning = response.at("/output/0");
      assertThat(reasoning.path("id").asText()).as(backend.name()).startsWith("rs_");
      assertThat(withoutId(reasoning)).as(backend.name()).isEqualTo(reasoningItem(backend.reasoning()));
      assertThat(response.at("/output/1/type").asText()).isEqualTo("message");
      assertThat(response.at("/output/1/content/0/text").asText()).isNotBlank().doesNotContain("think");
      assertThat(response.at("/usage/output_tokens_details/reasoning_tokens").asLong()).as(backend.name())
          .isEqualTo(backend.reasoningTokens());
    }
  }

  @Test
  void aStreamSendsTheSummaryEventsOpenAiSendsAndTheReasoningTextEventsPieceByPiece() {
    for (Backend backend : backends) {
      List<JsonNode> events = events(TestBridges.body(TestBridges.post(backend.bridge(), "/v1/responses",
          REQUEST.formatted(QUESTION, true))));

      List<String> types = events.stream().map(event -> event.path("type").asText()).toList();
      int pieces = (int) types.stream().filter("response.reasoning_summary_text.delta"::equals).count();
      int words = (int) types.stream().filter("response.output_text.delta"::equals).count();
      assertThat(pieces).as("the reasoning streams as it comes, not at once").isGreaterThan(1);
      assertThat(types).as(backend.name()).isEqualTo(expectedTypes(pieces, words));
      assertThat(events.stream().map(event -> event.path("sequence_number").asInt()).toList())
          .isEqualTo(IntStream.range(0, events.size()).boxed().toList());

      String itemId = events.get(2).at("/item/id").asText();
      assertThat(events.get(2).path("output_index").asInt()).isZero();
      assertThat(withoutId(events.get(2).path("item"))).isEqualTo(openedReasoningItem());
      StringBuilder summary = new StringBuilder();
      StringBuilder content = new StringBuilder();
      for (JsonNode event : events.subList(3, 5 + 2 * pieces + 4)) {
        String type = event.path("type").asText();
        assertThat(event.path("item_id").asText()).as(type).isEqualTo(itemId);
        assertThat(event.path("output_index").asInt()).as(type).isZero();
        boolean summaryEvent = type.startsWith("response.reasoning_summary_");
        assertThat(event.path(summaryEvent ? "summary_index" : "content_index").asInt()).as(type).isZero();
        assertThat(event.has(summaryEvent ? "content_index" : "summary_index")).as(type).isFalse();
        switch (type) {
          case "response.reasoning_summary_part.added" -> assertThat(event.path("part")).isEqualTo(part("summary_text", ""));
          case "response.content_part.added" -> assertThat(event.path("part")).isEqualTo(part("reasoning_text", ""));
          case "response.reasoning_summary_text.delta" -> summary.append(event.path("delta").asText());
          case "response.reasoning_text.delta" -> content.append(event.path("delta").asText());
          case "response.reasoning_summary_text.done", "response.reasoning_text.done" ->
              assertThat(event.path("text").asText()).as(type).isEqualTo(backend.reasoning());
          case "response.reasoning_summary_part.done" -> assertThat(event.path("part"))
              .isEqualTo(part("summary_text", backend.reasoning()));
          case "response.content_part.done" -> assertThat(event.path("part"))
              .isEqualTo(part("reasoning_text", backend.reasoning()));
          default -> throw new AssertionError("unexpected " + type);
        }
      }
      assertThat(summary.toString()).as(backend.name()).isEqualTo(backend.reasoning());
      assertThat(content.toString()).as(backend.name()).isEqualTo(backend.reasoning());

      JsonNode reasoningDone = events.get(5 + 2 * pieces + 4);
      assertThat(reasoningDone.path("type").asText()).isEqualTo("response.output_item.done");
      assertThat(reasoningDone.at("/item/id").asText()).isEqualTo(itemId);
      assertThat(withoutId(reasoningDone.path("item"))).isEqualTo(reasoningItem(backend.reasoning()));
      JsonNode completed = events.get(events.size() - 1).path("response");
      assertThat(completed.at("/output/0")).isEqualTo(reasoningDone.path("item"));
      assertThat(completed.at("/usage/output_tokens_details/reasoning_tokens").asLong()).as(backend.name())
          .isEqualTo(backend.reasoningTokens());
    }
  }

  @Test
  void theOpenAiSdkReadsTheReasoningSummaryAndTokensWholeAndStreamed() {
    for (Backend backend : backends) {
      OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(backend.bridge(), "/v1"))
          .apiKey("unused").maxRetries(0).build();
      try {
        ResponseCreateParams params = ResponseCreateParams.builder().model("fake-llama").input(QUESTION).build();

        Response whole = client.responses().create(params).validate();
        assertReasoning(whole, backend);

        List<String> summaryDeltas = new ArrayList<>();
        List<Response> completed = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
          stream.stream().forEach(event -> {
            event.validate();
            event.reasoningSummaryTextDelta().ifPresent(delta -> summaryDeltas.add(delta.delta()));
            event.completed().ifPresent(done -> completed.add(done.response()));
          });
        }
        assertThat(String.join("", summaryDeltas)).as(backend.name()).isEqualTo(backend.reasoning());
        assertThat(completed).singleElement().satisfies(response -> assertReasoning(response, backend));
      } finally {
        client.close();
      }
    }
  }

  @Test
  void aCachedAnswerKeepsItsReasoningTokensForResponsesAndChatClients() {
    BridgeServer caching = TestBridges.start("--ollama", openAi.baseUrl() + "/v1", "--enable-cache", "--cache-dir",
        cacheDir.toString());
    try {
      String request = REQUEST.formatted(QUESTION, false);
      JsonNode first = TestBridges.json(TestBridges.post(caching, "/v1/responses", request));
      try (okhttp3.Response again = TestBridges.post(caching, "/v1/responses", request)) {
        assertThat(again.header(GenerationHandler.CACHE_HEADER)).isEqualTo("true");
        JsonNode second = TestBridges.json(again);

        assertThat(second.at("/usage/output_tokens_details/reasoning_tokens").asLong())
            .isEqualTo(first.at("/usage/output_tokens_details/reasoning_tokens").asLong())
            .isEqualTo(backends.get(1).reasoningTokens());
        assertThat(second.at("/output/0/summary/0/text").asText()).isEqualTo(backends.get(1).reasoning());
      }

      OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(caching, "/v1")).apiKey("unused")
          .maxRetries(0).build();
      try {
        ChatCompletionCreateParams chat = ChatCompletionCreateParams.builder().model("fake-llama")
            .addUserMessage("Think about chat").build();
        for (int attempt = 0; attempt < 2; attempt++) { // the backend's document, then the cache's encoding of it
          HttpResponseFor<ChatCompletion> response = client.chat().completions().withRawResponse().create(chat);
          assertThat(response.headers().values(GenerationHandler.CACHE_HEADER)).containsExactly(attempt == 0 ? "false" : "true");
          assertThat(response.parse().usage().orElseThrow().completionTokensDetails().orElseThrow().reasoningTokens())
              .as("attempt %d", attempt).hasValue(backends.get(1).reasoningTokens());
        }
      } finally {
        client.close();
      }
    } finally {
      TestBridges.close(caching);
    }
  }

  private static void assertReasoning(Response response, Backend backend) {
    ResponseReasoningItem reasoning = response.output().get(0).asReasoning();
    assertThat(reasoning.summary()).singleElement().satisfies(part -> assertThat(part.text()).isEqualTo(backend.reasoning()));
    assertThat(reasoning.content().orElseThrow()).singleElement()
        .satisfies(part -> assertThat(part.text()).isEqualTo(backend.reasoning()));
    assertThat(response.usage().orElseThrow().outputTokensDetails().reasoningTokens()).as(backend.name())
        .isEqualTo(backend.reasoningTokens());
  }

  /** The event types of a reasoning item streamed in {@code pieces}, then a message of {@code words}. */
  private static List<String> expectedTypes(int pieces, int words) {
    List<String> types = new ArrayList<>(List.of("response.created", "response.in_progress",
        "response.output_item.added", "response.reasoning_summary_part.added", "response.content_part.added"));
    for (int i = 0; i < pieces; i++) {
      types.addAll(List.of("response.reasoning_summary_text.delta", "response.reasoning_text.delta"));
    }
    types.addAll(List.of("response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
        "response.reasoning_text.done", "response.content_part.done", "response.output_item.done",
        "response.output_item.added", "response.content_part.added"));
    types.addAll(Collections.nCopies(words, "response.output_text.delta"));
    types.addAll(List.of("response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed"));
    return types;
  }

  private static JsonNode reasoningItem(String text) {
    ObjectNode item = Json.object().put("type", "reasoning");
    item.putArray("summary").add(part("summary_text", text));
    item.putArray("content").add(part("reasoning_text", text));
    return item;
  }

  private static JsonNode openedReasoningItem() {
    ObjectNode item = Json.object().put("type", "reasoning");
    item.putArray("summary");
    item.putArray("content");
    return item;
  }

  private static ObjectNode part(String type, String text) {
    return Json.object().put("type", type).put("text", text);
  }

  private static JsonNode withoutId(JsonNode item) {
    ObjectNode copy = item.deepCopy();
    copy.remove("id");
    return copy;
  }

  /** The SSE events of a stream, each checked to be named as its type. */
  private static List<JsonNode> events(String body) {
    List<JsonNode> events = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      String[] lines = block.split("\n");
      JsonNode event = TestBridges.json(lines[1].substring("data: ".length()));
      assertThat(lines[0]).isEqualTo("event: " + event.path("type").asText());
      events.add(event);
    }
    return events;
  }

  /** The backend's own whole answer to the question, asked without the bridge. */
  private static JsonNode ask(String url, boolean openAi) {
    String body = openAi
        ? "{\"model\":\"fake-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"}]}"
        : "{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"}]}";
    return TestBridges.json(TestBridges.execute(new Request.Builder().url(url)
        .post(RequestBody.create(body, MediaType.get("application/json"))).build()));
  }

  /** What a model thought between its {@code <think>} tags. */
  private static String thought(String content) {
    assertThat(content).contains("<think>", "</think>");
    return content.substring(content.indexOf("<think>") + "<think>".length(), content.indexOf("</think>"));
  }
}
