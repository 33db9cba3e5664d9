package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A model's tool calls reach the client in the client's dialect, whole or streamed. */
class ToolCallsTest {

  private static final String TOOLS = """
      "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
        "properties":{"city":{"type":"string"}}}}}]""";

  private final MockWebServer upstream = new MockWebServer();
  private BridgeServer bridge;

  @BeforeEach
  void start() throws Exception {
    upstream.start();
  }

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    upstream.close();
  }

  @Test
  void anOllamaToolCallStreamsToAnOpenAiClientAsToolCallDeltas() throws Exception {
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/x-ndjson").body("""
        {"model":"m","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},"done":false}
        {"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":7}
        """).build());
    bridge = TestBridges.start("--ollama", base());

    String body = TestBridges.body(TestBridges.post(bridge, "/v1/chat/completions", """
        {"model":"m","stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}],%s}""".formatted(TOOLS)));

    List<JsonNode> chunks = TestBridges.chunks(body);
    JsonNode call = chunks.stream().filter(c -> c.at("/choices/0/delta/tool_calls").isArray()).findFirst().orElseThrow()
        .at("/choices/0/delta/tool_calls/0");
    assertThat(call.path("index").asInt()).isZero();
    assertThat(call.path("id").asText()).startsWith("call_");
    assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
    assertThat(TestBridges.json(call.at("/function/arguments").asText()).path("city").asText()).isEqualTo("Paris");
    assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode sentUpstream = TestBridges.json(upstream.takeRequest().getBody().utf8());
    assertThat(sentUpstream.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
  }

  @Test
  void fragmentedOpenAiToolCallsReachAnOllamaClientWhole() {
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body("""
        data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}

        data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]}}]}

        data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Paris\\"}"}}]}}]}

        data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

        data: [DONE]

        """).build());
    bridge = TestBridges.start("--ollama", base() + "/v1");

    String body = TestBridges.body(TestBridges.post(bridge, "/api/chat", """
        {"model":"m","messages":[{"role":"user","content":"Weather in Paris?"}],%s}""".formatted(TOOLS)));

    List<JsonNode> lines = TestBridges.chunks(body);
    JsonNode calls = lines.stream().filter(l -> l.at("/message/tool_calls").isArray()).findFirst().orElseThrow()
        .at("/message/tool_calls");
    assertThat(calls).hasSize(1);
    assertThat(calls.at("/0/function/name").asText()).isEqualTo("get_weather");
    assertThat(calls.at("/0/function/arguments/city").asText()).isEqualTo("Paris");
    assertThat(lines.get(lines.size() - 1).path("done").asBoolean()).isTrue();
  }

  @Test
  void aWholeOpenAiToolCallAnswerBecomesAnOllamaMessageWithToolCalls() {
    upstream.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body("""
        {"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant",
         "content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
         "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""").build());
    bridge = TestBridges.start("--ollama", base() + "/v1");

    JsonNode answer = TestBridges.json(TestBridges.post(bridge, "/api/chat", """
        {"model":"m","stream":false,"messages":[{"role":"user","content":"Weather in Oslo?"}],%s}""".formatted(TOOLS)));

    assertThat(answer.at("/message/tool_calls/0/function/arguments/city").asText()).isEqualTo("Oslo");
    assertThat(answer.path("done_reason").asText()).isEqualTo("stop");
  }

  private String base() {
    String url = upstream.url("/").toString();
    return url.substring(0, url.length() - 1);
  }
}
