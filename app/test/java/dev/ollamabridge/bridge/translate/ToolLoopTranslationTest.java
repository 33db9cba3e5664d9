package dev.ollamabridge.bridge.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * A tool loop from one dialect to the other: every tool result answers the call it belongs to in
 * the terms the backend checks (OpenAI: ids; Ollama: order and tool name), with ids that stay the
 * same when the conversation is sent again.
 */
class ToolLoopTranslationTest {

  private static final String OLLAMA_LOOP = """
      {"model":"m","messages":[
        {"role":"user","content":"Weather and time in Paris?"},
        {"role":"assistant","content":"","tool_calls":[
          {"function":{"name":"get_weather","arguments":{"city":"Paris"}}},
          {"function":{"name":"get_time","arguments":{"city":"Paris"}}}]},
        {"role":"tool","content":"14:00","tool_name":"get_time"},
        {"role":"tool","content":"sunny","tool_name":"get_weather"}]}""";

  @Test
  void ollamaToolResultsAnswerTheirCallsByNameWithStableIds() {
    JsonNode out = toOpenAi(OLLAMA_LOOP);
    JsonNode again = toOpenAi(OLLAMA_LOOP);

    String weather = out.at("/messages/1/tool_calls/0/id").asText();
    String time = out.at("/messages/1/tool_calls/1/id").asText();
    assertThat(weather).startsWith("call_").isNotEqualTo(time);
    assertThat(out.at("/messages/2/tool_call_id").asText()).isEqualTo(time);
    assertThat(out.at("/messages/3/tool_call_id").asText()).isEqualTo(weather);
    assertThat(out.at("/messages/2").has("tool_name")).isFalse();
    assertThat(again).isEqualTo(out);
  }

  @Test
  void toolResultsWithoutNamesAnswerTheCallsInOrder() {
    JsonNode out = toOpenAi(OLLAMA_LOOP.replace(",\"tool_name\":\"get_time\"", "").replace(",\"tool_name\":\"get_weather\"", ""));

    assertThat(out.at("/messages/2/tool_call_id").asText()).isEqualTo(out.at("/messages/1/tool_calls/0/id").asText());
    assertThat(out.at("/messages/3/tool_call_id").asText()).isEqualTo(out.at("/messages/1/tool_calls/1/id").asText());
  }

  @Test
  void openAiToolResultsTellOllamaTheToolsName() {
    ObjectNode body = TranslationTest.json("""
        {"model":"m","messages":[
          {"role":"user","content":"Weather?"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
            "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"sunny"}]}""");

    JsonNode out = UpstreamRequest.of(TranslationTest.parse(Dialect.OPENAI, Kind.CHAT, body), body, Dialect.OLLAMA).body();

    assertThat(out.at("/messages/1/tool_calls/0/function/arguments/city").asText()).isEqualTo("Paris");
    assertThat(out.at("/messages/2/tool_name").asText()).isEqualTo("get_weather");
  }

  private static JsonNode toOpenAi(String ollamaBody) {
    ObjectNode body = TranslationTest.json(ollamaBody);
    return UpstreamRequest.of(TranslationTest.parse(Dialect.OLLAMA, Kind.CHAT, body), body, Dialect.OPENAI).body();
  }
}
