package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResult;
import io.github.ollama4j.tools.Tools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whole tool loops through a bridge, with real client libraries: the model calls a tool, the
 * client runs it and sends the result back, and the model's answer quotes the result. The
 * OpenAI backend is strict about tools (as OpenAI is), so a tool result the bridge does not pair
 * with its call is refused there ("must be a response to a preceeding message with 'tool_calls'"),
 * as it once was for Ollama clients, whose tool messages carry no call id.
 */
class ToolLoopEndToEndTest {

  private static final String QUESTION = "What is the weather in Paris?";
  /** The fake derives its string arguments from the question's last word. */
  private static final String RESULT = "18 degrees in Paris";
  private static final String QUOTED = "The tool said: 18 degrees in Paris.";

  private static FakeOllama strictOpenAi;
  private static FakeOllama ollama;
  private static BridgeServer toStrictOpenAi;
  private static BridgeServer toOllama;
  private static OpenAIClient sdkToStrictOpenAi;
  private static OpenAIClient sdkToOllama;

  @BeforeAll
  static void start() {
    strictOpenAi = FakeOllama.start(
        FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withStrictTools(true).withTokens(6));
    ollama = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(6));
    toStrictOpenAi = TestBridges.start("--ollama", strictOpenAi.baseUrl() + "/v1");
    toOllama = TestBridges.inFrontOf(ollama);
    sdkToStrictOpenAi = openAiSdk(toStrictOpenAi);
    sdkToOllama = openAiSdk(toOllama);
  }

  @AfterAll
  static void stop() {
    sdkToStrictOpenAi.close();
    sdkToOllama.close();
    TestBridges.close(toStrictOpenAi);
    TestBridges.close(toOllama);
    strictOpenAi.close();
    ollama.close();
  }

  /** The weather tool every client here runs. */
  private static String weatherIn(String city) {
    return "18 degrees in " + city;
  }

  /** ollama4j runs the loop itself: it calls the tool the model asks for and sends the result back. */
  @Test
  void ollama4jRunsItsToolLoopThroughABridgeToAStrictOpenAiBackend() throws Exception {
    Ollama client = new Ollama(TestBridges.url(toStrictOpenAi, ""));
    client.setRequestTimeoutSeconds(30);
    List<Map<String, Object>> toolRuns = new ArrayList<>();
    client.registerTool(Tools.Tool.builder()
        .toolSpec(Tools.ToolSpec.builder()
            .name("get_weather")
            .description("The weather in a city now")
            .parameters(Tools.Parameters.of(Map.of("city",
                Tools.Property.builder().type("string").description("The city").required(true).build())))
            .build())
        .toolFunction(arguments -> {
          toolRuns.add(arguments);
          return weatherIn((String) arguments.get("city"));
        })
        .build());

    OllamaChatResult result = client.chat(OllamaChatRequest.builder().withModel("fake-llama")
        .withMessage(OllamaChatMessageRole.USER, QUESTION)
        .withUseTools(true)
        .build(), null);

    assertThat(toolRuns).containsExactly(Map.of("city", "Paris"));
    assertThat(result.getChatHistory()).extracting(message -> message.getRole().getRoleName())
        .containsExactly("user", "assistant", "tool", "assistant");
    assertThat(result.getResponseModel().getMessage().getResponse()).startsWith("The tool said: ").contains(RESULT);
  }

  @Test
  void theOpenAiSdkLoopsThroughABridgeToAnOllamaBackend() {
    ChatCompletionCreateParams ask = weatherQuestion();

    ChatCompletion called = sdkToOllama.chat().completions().create(ask);
    ChatCompletion answered = sdkToOllama.chat().completions().create(withResult(ask, called.choices().get(0).message()));

    assertThat(called.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertThat(answered.choices().get(0).message().content()).hasValueSatisfying(text -> assertThat(text).startsWith(QUOTED));
  }

  @Test
  void theOpenAiSdkStreamsTheArgumentsInPiecesThroughABridgeToAStrictOpenAiBackendAndLoops() {
    ChatCompletionCreateParams ask = weatherQuestion();
    List<String> pieces = new ArrayList<>();

    ChatCompletion called = streamed(sdkToStrictOpenAi, ask, chunk -> chunk.choices().forEach(choice -> choice.delta()
        .toolCalls().ifPresent(calls -> calls.forEach(call -> call.function().flatMap(function -> function.arguments())
            .filter(piece -> !piece.isEmpty())
            .ifPresent(pieces::add)))));
    ChatCompletion answered = streamed(sdkToStrictOpenAi, withResult(ask, called.choices().get(0).message()), chunk -> { });

    assertThat(pieces).hasSizeGreaterThan(1);
    assertThat(called.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertThat(answered.choices().get(0).message().content()).hasValueSatisfying(text -> assertThat(text).startsWith(QUOTED));
  }

  @Test
  void langChain4jsOllamaStreamingModelLoopsThroughABridgeToAStrictOpenAiBackend() throws Exception {
    StreamingChatModel model = OllamaStreamingChatModel.builder().baseUrl(TestBridges.url(toStrictOpenAi, ""))
        .modelName("fake-llama").timeout(Duration.ofSeconds(30)).build();

    String answer = langChain4jLoop(model, new ArrayList<>());

    assertThat(answer).startsWith(QUOTED);
  }

  @Test
  void langChain4jsOpenAiStreamingModelLoopsThroughABridgeToAnOllamaBackend() throws Exception {
    StreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(TestBridges.url(toOllama, "/v1"))
        .apiKey("unused").modelName("fake-llama").timeout(Duration.ofSeconds(30)).build();
    List<PartialToolCall> partialCalls = new ArrayList<>();

    String answer = langChain4jLoop(model, partialCalls);

    assertThat(partialCalls).isNotEmpty().allSatisfy(partial -> assertThat(partial.name()).isEqualTo("get_weather"));
    assertThat(answer).startsWith(QUOTED);
  }

  /** The tool's arguments, as the OpenAI SDK derives the tool's schema from a class and parses them back into it. */
  public static final class GetWeather {
    @JsonProperty(required = true)
    @JsonPropertyDescription("The city")
    public String city;
  }

  private static OpenAIClient openAiSdk(BridgeServer bridge) {
    return OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(bridge, "/v1")).apiKey("unused").maxRetries(0).build();
  }

  private static ChatCompletionCreateParams weatherQuestion() {
    return ChatCompletionCreateParams.builder().model("fake-llama").addUserMessage(QUESTION).addTool(GetWeather.class).build();
  }

  /** The question again, the assistant's call, and the result of running the tool it called. */
  private static ChatCompletionCreateParams withResult(ChatCompletionCreateParams ask, ChatCompletionMessage call) {
    assertThat(call.toolCalls()).hasValueSatisfying(calls -> assertThat(calls).hasSize(1));
    ChatCompletionMessageFunctionToolCall function = call.toolCalls().orElseThrow().get(0).asFunction();
    String result = weatherIn(function.function().arguments(GetWeather.class).city);
    assertThat(result).isEqualTo(RESULT);
    return ask.toBuilder()
        .addMessage(call)
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(function.id()).content(result).build())
        .build();
  }

  /** Streams {@code params}, shows each chunk to {@code seen}, and puts the chunks together as the SDK does. */
  private static ChatCompletion streamed(
      OpenAIClient client, ChatCompletionCreateParams params, Consumer<ChatCompletionChunk> seen) {
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> {
        seen.accept(chunk);
        accumulator.accumulate(chunk);
      });
    }
    return accumulator.chatCompletion();
  }

  /**
   * Asks with a weather tool, runs the tool the model calls, sends its result back, and returns
   * the model's final text; both turns streamed. Partial tool calls are added to {@code partialCalls}.
   */
  private static String langChain4jLoop(StreamingChatModel model, List<PartialToolCall> partialCalls) throws Exception {
    ToolSpecification weather = ToolSpecification.builder()
        .name("get_weather")
        .description("The weather in a city now")
        .parameters(JsonObjectSchema.builder().addStringProperty("city", "The city").required("city").build())
        .build();
    List<ChatMessage> history = new ArrayList<>(List.of(UserMessage.from(QUESTION)));

    AiMessage call = chat(model, ChatRequest.builder().messages(history).toolSpecifications(weather).build(), partialCalls);
    assertThat(call.toolExecutionRequests()).hasSize(1);
    ToolExecutionRequest request = call.toolExecutionRequests().get(0);
    assertThat(request.name()).isEqualTo("get_weather");
    String city = TestBridges.json(request.arguments()).path("city").asText();
    history.add(call);
    history.add(ToolExecutionResultMessage.from(request, weatherIn(city)));
    AiMessage answer = chat(model, ChatRequest.builder().messages(history).toolSpecifications(weather).build(), partialCalls);

    assertThat(answer.hasToolExecutionRequests()).isFalse();
    return answer.text();
  }

  private static AiMessage chat(StreamingChatModel model, ChatRequest request, List<PartialToolCall> partialCalls)
      throws Exception {
    CompletableFuture<ChatResponse> response = new CompletableFuture<>();
    model.chat(request, new StreamingChatResponseHandler() {
      @Override
      public void onPartialToolCall(PartialToolCall partialToolCall) {
        partialCalls.add(partialToolCall);
      }

      @Override
      public void onCompleteResponse(ChatResponse complete) {
        response.complete(complete);
      }

      @Override
      public void onError(Throwable error) {
        response.completeExceptionally(error);
      }
    });
    return response.get(30, TimeUnit.SECONDS).aiMessage();
  }
}
