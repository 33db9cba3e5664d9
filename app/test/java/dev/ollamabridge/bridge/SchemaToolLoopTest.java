package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseOutputMessage;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.SchemaValidation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Agent loops through a bridge in front of the fake backend, in both upstream dialects, with real
 * client libraries: the tool's schema has a required enum, a nullable field, a nested object and an
 * array; the tool checks the arguments it is called with against that schema, as an agent framework
 * does, and refuses to run on invalid ones; the loop ends with the model's text quoting the tool.
 */
class SchemaToolLoopTest {

  private static final String QUESTION = "What is the weather in Paris?";
  private static final String SCHEMA = """
      {"type":"object",
       "properties":{
        "city":{"type":"string","description":"The city"},
        "unit":{"type":"string","enum":["celsius","fahrenheit"]},
        "country":{"anyOf":[{"type":"string","minLength":2},{"type":"null"}],"description":"The country, if known"},
        "when":{"type":"object","properties":{"day":{"type":"string","format":"date"},
         "hour":{"type":"integer","minimum":0,"maximum":23}},"required":["day","hour"],"additionalProperties":false},
        "details":{"type":"array","items":{"type":"string","enum":["wind","rain","humidity"]},"minItems":2,
         "uniqueItems":true}},
       "required":["city","unit","country","when","details"],
       "additionalProperties":false}""";
  /** What the fake makes of the schema and the question; the test asserts the tool was run with it. */
  private static final String ARGUMENTS = """
      {"city":"Paris","unit":"celsius","country":"Paris","when":{"day":"2025-01-01","hour":1},"details":["wind","rain"]}""";
  private static final String QUOTED = "The tool said: 18 degrees celsius in Paris, wind and rain.";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static FakeOllama strictOpenAi;
  private static FakeOllama ollama;
  private static BridgeServer toStrictOpenAi;
  private static BridgeServer toOllama;

  @BeforeAll
  static void start() {
    strictOpenAi = FakeOllama.start(
        FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withStrictTools(true).withTokens(4));
    ollama = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(4));
    toStrictOpenAi = TestBridges.start("--ollama", strictOpenAi.baseUrl() + "/v1");
    toOllama = TestBridges.inFrontOf(ollama);
  }

  @AfterAll
  static void stop() {
    TestBridges.close(toStrictOpenAi);
    TestBridges.close(toOllama);
    strictOpenAi.close();
    ollama.close();
  }

  /**
   * The agent loops run here: the OpenAI SDK's over chat, whole and streamed, and over the
   * Responses API (as the OpenAI Agents SDK speaks it), and LangChain4j's in Ollama's dialect.
   */
  enum Client {
    OPENAI_SDK_CHAT,
    OPENAI_SDK_CHAT_STREAMED,
    OPENAI_SDK_RESPONSES,
    LANGCHAIN4J_OLLAMA;

    String loop(BridgeServer bridge, WeatherTool tool) {
      return switch (this) {
        case OPENAI_SDK_CHAT -> openAiSdkLoop(bridge, false, tool);
        case OPENAI_SDK_CHAT_STREAMED -> openAiSdkLoop(bridge, true, tool);
        case OPENAI_SDK_RESPONSES -> responsesLoop(bridge, tool);
        case LANGCHAIN4J_OLLAMA -> langChain4jLoop(bridge, tool);
      };
    }
  }

  static Stream<Arguments> clientsAndBackends() {
    return Stream.of(Client.values())
        .flatMap(client -> Stream.of(Arguments.of(client, Dialect.OLLAMA), Arguments.of(client, Dialect.OPENAI)));
  }

  @ParameterizedTest(name = "{0} through a bridge to an {1} backend")
  @MethodSource("clientsAndBackends")
  void theToolIsCalledWithArgumentsValidForItsSchemaAndTheLoopEndsWithTheModelsText(Client client, Dialect backend) {
    WeatherTool tool = new WeatherTool();

    String answer = client.loop(backend == Dialect.OLLAMA ? toOllama : toStrictOpenAi, tool);

    assertThat(tool.calls).containsExactly(TestBridges.json(ARGUMENTS));
    assertThat(answer).startsWith(QUOTED);
  }

  /** The weather tool: runs only on arguments valid for {@link #SCHEMA}, and keeps those it ran on. */
  static final class WeatherTool {
    final List<JsonNode> calls = new ArrayList<>();

    String run(String argumentsJson) {
      List<String> errors = SchemaValidation.errors(SCHEMA, argumentsJson);
      if (!errors.isEmpty()) {
        fail("the model called the tool with arguments its schema refuses: %s %s", argumentsJson, errors);
      }
      JsonNode arguments = TestBridges.json(argumentsJson);
      calls.add(arguments);
      List<String> details = new ArrayList<>();
      arguments.path("details").forEach(detail -> details.add(detail.asText()));
      return "18 degrees " + arguments.path("unit").asText() + " in " + arguments.path("city").asText()
          + ", " + String.join(" and ", details);
    }
  }

  /**
   * The loop an agent runs with the OpenAI SDK: ask, run each tool the model calls and send the
   * results back, until the model answers with text (at most three turns).
   */
  private static String openAiSdkLoop(BridgeServer bridge, boolean streamed, WeatherTool tool) {
    OpenAIClient client = OpenAIOkHttpClient.builder()
        .baseUrl(TestBridges.url(bridge, "/v1")).apiKey("unused").maxRetries(0).build();
    try {
      ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
          .model("fake-llama")
          .addUserMessage(QUESTION)
          .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
              .name("get_weather")
              .description("The weather in a city")
              .parameters(FunctionParameters.builder().additionalProperties(schemaAsSdkValues()).build())
              .strict(true)
              .build()).build())
          .build();
      for (int turn = 0; turn < 3; turn++) {
        ChatCompletionMessage message = (streamed ? streamed(client, params) : client.chat().completions().create(params))
            .choices().get(0).message();
        if (message.toolCalls().isEmpty() || message.toolCalls().get().isEmpty()) {
          return message.content().orElse("");
        }
        ChatCompletionCreateParams.Builder next = params.toBuilder().addMessage(message);
        for (var call : message.toolCalls().get()) {
          ChatCompletionMessageFunctionToolCall function = call.asFunction();
          assertThat(function.function().name()).isEqualTo("get_weather");
          next.addMessage(ChatCompletionToolMessageParam.builder()
              .toolCallId(function.id()).content(tool.run(function.function().arguments())).build());
        }
        params = next.build();
      }
      return fail("the model kept calling tools");
    } finally {
      client.close();
    }
  }

  /** The same loop through {@code /v1/responses}: function_call items answered by function_call_output items. */
  private static String responsesLoop(BridgeServer bridge, WeatherTool tool) {
    OpenAIClient client = OpenAIOkHttpClient.builder()
        .baseUrl(TestBridges.url(bridge, "/v1")).apiKey("unused").maxRetries(0).build();
    try {
      FunctionTool weather = FunctionTool.builder()
          .name("get_weather")
          .description("The weather in a city")
          .parameters(FunctionTool.Parameters.builder().additionalProperties(schemaAsSdkValues()).build())
          .strict(true)
          .build();
      List<ResponseInputItem> input = new ArrayList<>(List.of(ResponseInputItem.ofEasyInputMessage(
          EasyInputMessage.builder().role(EasyInputMessage.Role.USER).content(QUESTION).build())));
      for (int turn = 0; turn < 3; turn++) {
        Response response = client.responses().create(ResponseCreateParams.builder()
            .model("fake-llama").inputOfResponse(input).addTool(weather).build());
        List<ResponseFunctionToolCall> calls =
            response.output().stream().flatMap(item -> item.functionCall().stream()).toList();
        if (calls.isEmpty()) {
          return response.output().stream().filter(ResponseOutputItem::isMessage)
              .flatMap(item -> item.asMessage().content().stream())
              .filter(ResponseOutputMessage.Content::isOutputText)
              .map(content -> content.asOutputText().text())
              .reduce("", String::concat);
        }
        for (ResponseFunctionToolCall call : calls) {
          assertThat(call.name()).isEqualTo("get_weather");
          input.add(ResponseInputItem.ofFunctionCall(call));
          input.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
              .callId(call.callId()).output(tool.run(call.arguments())).build()));
        }
      }
      return fail("the model kept calling tools");
    } finally {
      client.close();
    }
  }

  private static ChatCompletion streamed(OpenAIClient client, ChatCompletionCreateParams params) {
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }
    return accumulator.chatCompletion();
  }

  private static Map<String, JsonValue> schemaAsSdkValues() {
    Map<String, JsonValue> values = new LinkedHashMap<>();
    TestBridges.json(SCHEMA).properties().forEach(keyword ->
        values.put(keyword.getKey(), JsonValue.from(MAPPER.convertValue(keyword.getValue(), Object.class))));
    return values;
  }

  /**
   * The same loop with LangChain4j's Ollama model, speaking Ollama's dialect to the bridge; each
   * property's schema goes out as written ({@link JsonRawSchema}).
   */
  private static String langChain4jLoop(BridgeServer bridge, WeatherTool tool) {
    ChatModel model = OllamaChatModel.builder().baseUrl(TestBridges.url(bridge, ""))
        .modelName("fake-llama").timeout(Duration.ofSeconds(30)).build();
    JsonObjectSchema.Builder parameters = JsonObjectSchema.builder();
    List<String> required = new ArrayList<>();
    JsonNode schema = TestBridges.json(SCHEMA);
    schema.path("properties").properties().forEach(property ->
        parameters.addProperty(property.getKey(), JsonRawSchema.from(property.getValue().toString())));
    schema.path("required").forEach(name -> required.add(name.asText()));
    ToolSpecification weather = ToolSpecification.builder()
        .name("get_weather")
        .description("The weather in a city")
        .parameters(parameters.required(required).additionalProperties(false).build())
        .build();
    List<ChatMessage> history = new ArrayList<>(List.of(UserMessage.from(QUESTION)));
    for (int turn = 0; turn < 3; turn++) {
      AiMessage message = model.chat(ChatRequest.builder().messages(history).toolSpecifications(weather).build()).aiMessage();
      if (!message.hasToolExecutionRequests()) {
        return message.text();
      }
      history.add(message);
      for (ToolExecutionRequest call : message.toolExecutionRequests()) {
        assertThat(call.name()).isEqualTo("get_weather");
        history.add(ToolExecutionResultMessage.from(call, tool.run(call.arguments())));
      }
    }
    return fail("the model kept calling tools");
  }
}
