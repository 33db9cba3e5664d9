package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStreamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Function tools through the Responses API, with the OpenAI Java SDK: the request's flat tools,
 * function calls and their outputs reach the backend as chat tools, tool calls and tool messages
 * paired with them; the backend's tool calls come back as function_call items, whole or streamed.
 * A scripted backend shows exactly what the bridge sent.
 */
class ResponsesToolsTest {

  private final MockWebServer upstream = new MockWebServer();
  private BridgeServer bridge;
  private OpenAIClient client;

  @BeforeEach
  void start() throws Exception {
    upstream.start();
  }

  @AfterEach
  void stop() {
    client.close();
    TestBridges.close(bridge);
    upstream.close();
  }

  private void bridgeTo(String path) {
    String url = upstream.url("/").toString();
    bridge = TestBridges.start("--ollama", url.substring(0, url.length() - 1) + path);
    client = OpenAIOkHttpClient.builder().baseUrl(TestBridges.url(bridge, "/v1")).apiKey("unused").maxRetries(0).build();
  }

  private static FunctionTool weatherTool() {
    return FunctionTool.builder()
        .name("get_weather")
        .parameters(FunctionTool.Parameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .build())
        .strict(false)
        .build();
  }

  @Test
  void anOllamaToolCallBecomesAFunctionCallItem() throws Exception {
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body("""
        {"model":"m","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather",
         "arguments":{"city":"Paris"}}}]},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":7}""").build());
    bridgeTo("");

    Response response = client.responses().create(ResponseCreateParams.builder()
        .model("m").instructions("Be brief.").input("Weather in Paris?").addTool(weatherTool()).build());
    response.validate();

    ResponseFunctionToolCall call = response.output().get(0).asFunctionCall();
    assertThat(call.name()).isEqualTo("get_weather");
    assertThat(TestBridges.json(call.arguments()).path("city").asText()).isEqualTo("Paris");
    assertThat(call.callId()).startsWith("call_");
    JsonNode sent = TestBridges.json(upstream.takeRequest().getBody().utf8());
    assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
    assertThat(sent.at("/messages/0/content").asText()).isEqualTo("Be brief.");
    assertThat(sent.at("/tools/0/function/name").asText()).as("flat tools nest under function for chat").isEqualTo("get_weather");
  }

  @Test
  void aLoopsCallsAndOutputsReachAnOpenAiBackendPairedByCallId() throws Exception {
    upstream.enqueue(new MockResponse.Builder().code(404).body("{\"detail\":\"Not Found\"}").build()); // no /responses here
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body("""
        {"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant",
         "content":"It is sunny in Paris."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":6,"total_tokens":15}}""").build());
    bridgeTo("/v1");

    Response response = client.responses().create(ResponseCreateParams.builder()
        .model("m")
        .inputOfResponse(List.of(
            ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
                .role(EasyInputMessage.Role.USER).content("Weather in Paris?").build()),
            ResponseInputItem.ofFunctionCall(ResponseFunctionToolCall.builder()
                .callId("call_abc").name("get_weather").arguments("{\"city\":\"Paris\"}").build()),
            ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                .callId("call_abc").output("sunny, 24 C").build())))
        .addTool(weatherTool())
        .build());

    assertThat(response.output().get(0).asMessage().content().get(0).asOutputText().text()).isEqualTo("It is sunny in Paris.");
    RecordedRequest probe = upstream.takeRequest();
    assertThat(probe.getUrl().encodedPath()).isEqualTo("/v1/responses");
    RecordedRequest chat = upstream.takeRequest();
    assertThat(chat.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
    JsonNode messages = TestBridges.json(chat.getBody().utf8()).path("messages");
    assertThat(messages.at("/1/role").asText()).isEqualTo("assistant");
    assertThat(messages.at("/1/tool_calls/0/id").asText()).isEqualTo("call_abc");
    assertThat(messages.at("/1/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(messages.at("/2/role").asText()).isEqualTo("tool");
    assertThat(messages.at("/2/tool_call_id").asText()).isEqualTo("call_abc");
    assertThat(messages.at("/2/content").asText()).isEqualTo("sunny, 24 C");

    // the bridge has learnt that this backend lacks the route: the next request goes straight to chat
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body("""
        {"id":"y","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant",
         "content":"Hi."},"finish_reason":"stop"}]}""").build());
    client.responses().create(ResponseCreateParams.builder().model("m").input("Hi").build());
    assertThat(upstream.takeRequest().getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
  }

  @Test
  void aStreamedToolCallIsAFunctionCallItemWithItsArgumentEvents() {
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson").body("""
        {"model":"m","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Oslo"}}}]},"done":false}
        {"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":7}
        """).build());
    bridgeTo("");

    List<String> arguments = new ArrayList<>();
    List<ResponseFunctionToolCall> done = new ArrayList<>();
    List<Response> completed = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(ResponseCreateParams.builder()
        .model("m").input("Weather in Oslo?").addTool(weatherTool()).build())) {
      stream.stream().forEach(event -> {
        event.validate();
        event.functionCallArgumentsDelta().ifPresent(delta -> arguments.add(delta.delta()));
        event.outputItemDone().ifPresent(item -> item.item().functionCall().ifPresent(done::add));
        event.completed().ifPresent(end -> completed.add(end.response()));
      });
    }

    assertThat(TestBridges.json(String.join("", arguments)).path("city").asText()).isEqualTo("Oslo");
    assertThat(done).singleElement().satisfies(call -> assertThat(call.name()).isEqualTo("get_weather"));
    assertThat(completed).singleElement().satisfies(response ->
        assertThat(response.output().get(0).asFunctionCall().callId()).isEqualTo(done.get(0).callId()));
  }

  @Test
  void aBackendThatServesTheRouteGetsTheRequestAndAnswersAsItIs() throws Exception {
    String events = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_upstream"}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":1,"response":{"id":"resp_upstream"}}

        """;
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(events).build());
    bridgeTo("/v1");

    String body = """
        {"model":"m","input":"Hi","stream":true,"previous_response_id":"resp_earlier","store":true}""";
    try (okhttp3.Response response = TestBridges.post(bridge, "/v1/responses", body)) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("Content-Type")).startsWith("text/event-stream");
      assertThat(response.body().string()).isEqualTo(events);
    }
    RecordedRequest sent = upstream.takeRequest();
    assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1/responses");
    assertThat(TestBridges.json(sent.getBody().utf8())).isEqualTo(TestBridges.json(body));
  }
}
