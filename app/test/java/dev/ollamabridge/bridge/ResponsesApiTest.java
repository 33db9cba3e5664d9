package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's Responses API through a bridge, with the official OpenAI Java SDK: translated onto chat
 * for an Ollama backend and for an OpenAI-compatible backend that does not serve the route, whole
 * and streamed as its real event sequence.
 */
class ResponsesApiTest {

  private static FakeOllama ollama;
  private static FakeOllama openAi;
  private static BridgeServer toOllama;
  private static BridgeServer toOpenAi;
  private static OpenAIClient viaOllama;
  private static OpenAIClient viaOpenAi;

  @BeforeAll
  static void start() {
    ollama = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(12).withThink(true));
    openAi = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI).withTokens(12).withStrictTools(true));
    toOllama = TestBridges.inFrontOf(ollama);
    toOpenAi = TestBridges.start("--ollama", openAi.baseUrl() + "/v1");
    viaOllama = client(toOllama);
    viaOpenAi = client(toOpenAi);
  }

  private static OpenAIClient client(BridgeServer bridge) {
    return OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(bridge, "/v1")).apiKey("unused").maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    viaOllama.close();
    viaOpenAi.close();
    TestBridges.close(toOllama);
    TestBridges.close(toOpenAi);
    ollama.close();
    openAi.close();
  }

  private static ResponseCreateParams ask(String text) {
    return ResponseCreateParams.builder().model("fake-llama").input(text).build();
  }

  @Test
  void aWholeResponseCarriesTheTextReasoningAndUsage() {
    for (OpenAIClient client : List.of(viaOllama, viaOpenAi)) {
      Response response = client.responses().create(ask("Why is the sky blue?"));
      response.validate();

      assertThat(response.status()).hasValue(ResponseStatus.COMPLETED);
      assertThat(text(response)).isNotBlank().doesNotContain("<think>");
      assertThat(response.usage()).hasValueSatisfying(usage -> {
        assertThat(usage.outputTokens()).isPositive();
        assertThat(usage.inputTokens()).isPositive();
      });
    }
    Response thought = viaOllama.responses().create(ask("Why is the sky blue?"));
    List<ResponseOutputItem> output = thought.output();
    assertThat(output.get(0).isReasoning()).as("the think filter's reasoning is a reasoning item").isTrue();
    assertThat(output.get(0).asReasoning().content().orElseThrow().get(0).text()).contains("think");
    assertThat(output.get(1).isMessage()).isTrue();
  }

  @Test
  void aStreamedResponseIsTheEventSequenceAndAddsUpToTheWholeOne() {
    for (OpenAIClient client : List.of(viaOllama, viaOpenAi)) {
      String whole = text(client.responses().create(ask("Tell me a story")));

      List<String> deltas = new ArrayList<>();
      List<Response> completed = new ArrayList<>();
      try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(ask("Tell me a story"))) {
        stream.stream().forEach(event -> {
          event.validate();
          event.outputTextDelta().ifPresent(delta -> deltas.add(delta.delta()));
          event.completed().ifPresent(done -> completed.add(done.response()));
        });
      }

      assertThat(deltas).hasSizeGreaterThan(1);
      assertThat(String.join("", deltas)).isEqualTo(whole);
      assertThat(completed).singleElement().satisfies(response -> assertThat(text(response)).isEqualTo(whole));
    }
  }

  @Test
  void eachStreamedEventIsNamedAsItsTypeAndNumberedInOrder() {
    for (BridgeServer bridge : List.of(toOllama, toOpenAi)) {
      String body = TestBridges.body(TestBridges.post(bridge, "/v1/responses",
          "{\"model\":\"fake-llama\",\"input\":\"Tell me a story\",\"stream\":true}"));

      List<String> names = new ArrayList<>();
      List<JsonNode> events = new ArrayList<>();
      for (String block : body.split("\n\n")) {
        String[] lines = block.split("\n");
        assertThat(lines).hasSize(2);
        names.add(lines[0].substring("event: ".length()));
        events.add(TestBridges.json(lines[1].substring("data: ".length())));
      }
      List<String> types = events.stream().map(event -> event.path("type").asText()).toList();
      assertThat(types).isEqualTo(names);
      assertThat(types.subList(0, 3)).containsExactly("response.created", "response.in_progress",
          "response.output_item.added"); // then a reasoning item's summary part, or a message's content part
      assertThat(types).contains("response.content_part.added");
      assertThat(types.subList(types.size() - 4, types.size())).containsExactly("response.output_text.done",
          "response.content_part.done", "response.output_item.done", "response.completed");
      assertThat(events.stream().map(event -> event.path("sequence_number").asInt()).toList())
          .isEqualTo(IntStream.range(0, events.size()).boxed().toList());
    }
  }

  @Test
  void aFunctionToolLoopCompletesAgainstEitherBackendAStrictOneIncluded() {
    FunctionTool weather = FunctionTool.builder().name("get_weather").strict(false)
        .parameters(FunctionTool.Parameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .build())
        .build();
    for (OpenAIClient client : List.of(viaOllama, viaOpenAi)) {
      List<ResponseInputItem> conversation = new ArrayList<>();
      conversation.add(ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
          .role(EasyInputMessage.Role.USER).content("What is the weather in Paris").build()));

      Response first = client.responses().create(ResponseCreateParams.builder().model("fake-llama")
          .inputOfResponse(conversation).addTool(weather).build());
      ResponseFunctionToolCall call = first.output().stream().filter(ResponseOutputItem::isFunctionCall)
          .map(ResponseOutputItem::asFunctionCall).findFirst().orElseThrow();
      assertThat(call.name()).isEqualTo("get_weather");
      assertThat(call.arguments()).contains("Paris");

      conversation.add(ResponseInputItem.ofFunctionCall(call));
      conversation.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
          .callId(call.callId()).output("18 degrees and sunny").build()));
      Response second = client.responses().create(ResponseCreateParams.builder().model("fake-llama")
          .inputOfResponse(conversation).addTool(weather).build());

      assertThat(text(second)).startsWith("The tool said: 18 degrees and sunny.");
    }
  }

  @Test
  void anAnswerCutShortByMaxOutputTokensIsIncomplete() {
    Response response = viaOpenAi.responses().create(
        ResponseCreateParams.builder().model("fake-llama").input("Tell me a story").maxOutputTokens(3).build());

    assertThat(response.status()).hasValue(ResponseStatus.INCOMPLETE);
    assertThat(response.incompleteDetails().orElseThrow().reason())
        .hasValue(Response.IncompleteDetails.Reason.MAX_OUTPUT_TOKENS);
    assertThat(response.maxOutputTokens()).hasValue(3L);
  }

  @Test
  void conversationStateIsRefusedNamingTheField() {
    assertThatThrownBy(() -> viaOllama.responses().create(ResponseCreateParams.builder()
            .model("fake-llama").input("And then?").previousResponseId("resp_123").build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.param()).hasValue("previous_response_id");
          assertThat(e.getMessage()).contains("keeps no conversation state");
        });
    try (okhttp3.Response response = TestBridges.post(toOllama, "/v1/responses",
        "{\"model\":\"fake-llama\",\"input\":[{\"type\":\"web_search_call\",\"id\":\"ws_1\"}]}")) {
      assertThat(response.code()).isEqualTo(400);
      JsonNode error = TestBridges.json(response).path("error");
      assertThat(error.path("param").asText()).isEqualTo("input[0]");
      assertThat(error.path("message").asText()).contains("web_search_call");
    }
  }

  @Test
  void anUnknownModelIsOpenAisNotFound() {
    try (okhttp3.Response response = TestBridges.post(toOpenAi, "/v1/responses", "{\"model\":\"nope\",\"input\":\"hi\"}")) {
      assertThat(response.code()).isEqualTo(404);
      assertThat(TestBridges.json(response).at("/error/message").asText()).contains("nope");
    }
  }

  /** The text of the response's message items, as the SDKs' output_text helpers join it. */
  private static String text(Response response) {
    StringBuilder text = new StringBuilder();
    for (ResponseOutputItem item : response.output()) {
      item.message().ifPresent(message -> message.content().forEach(part -> part.outputText().ifPresent(t -> text.append(t.text()))));
    }
    return text.toString();
  }
}
