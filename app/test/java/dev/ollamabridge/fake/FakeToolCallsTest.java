package dev.ollamabridge.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Given tools, the fake calls one in either dialect, whole or streamed, and reads the result back. */
class FakeToolCallsTest {

  private static final String TOOLS = """
      "tools":[
        {"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{
          "city":{"type":"string"},"days":{"type":"integer"},"metric":{"type":"boolean"},
          "unit":{"type":"string","enum":["celsius","fahrenheit"]},"when":{"type":"object"}}}}},
        {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{
          "zone":{"type":"string"}}}}}]""";
  private static final String QUESTION = "{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}";
  private static final String ASK = "{\"model\":\"fake-llama\",\"messages\":[" + QUESTION + "]," + TOOLS;
  private static final String WEATHER_ARGUMENTS =
      "{\"city\":\"Paris\",\"days\":1,\"metric\":true,\"unit\":\"celsius\",\"when\":{}}";

  private static FakeOllama fake;
  private static FakeOllama strict;
  private static FakeHttp http;
  private static FakeHttp strictHttp;

  @BeforeAll
  static void start() {
    fake = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4));
    strict = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4).withStrictTools(true));
    http = new FakeHttp(fake);
    strictHttp = new FakeHttp(strict);
  }

  @AfterAll
  static void stop() {
    fake.close();
    strict.close();
  }

  @Test
  void anOpenAiChatWithToolsIsAnsweredWithACallOfTheFirstToolWithArgumentsFromItsSchema() throws Exception {
    JsonNode answer = http.postForJson("/v1/chat/completions", ASK + "}");
    JsonNode again = http.postForJson("/v1/chat/completions", ASK + "}");

    JsonNode choice = answer.path("choices").path(0);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode message = choice.path("message");
    assertThat(message.path("content").isNull()).isTrue();
    JsonNode call = message.path("tool_calls").path(0);
    assertThat(call.path("id").asText()).matches("call_[0-9a-f]{24}");
    assertThat(call.path("type").asText()).isEqualTo("function");
    assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
    assertThat(FakeHttp.json(call.path("function").path("arguments").asText())).isEqualTo(FakeHttp.json(WEATHER_ARGUMENTS));
    assertThat(answer.path("usage").path("completion_tokens").asInt()).isPositive();
    assertThat(again.at("/choices/0/message/tool_calls/0/id")).isEqualTo(call.path("id"));
  }

  @Test
  void aStreamedOpenAiCallOpensWithTheRoleIdAndNameThenSendsTheArgumentsInPieces() throws Exception {
    String id = http.postForJson("/v1/chat/completions", ASK + "}").at("/choices/0/message/tool_calls/0/id").asText();

    List<String> events = FakeHttp.sseData(http.post("/v1/chat/completions",
        ASK + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}").body());

    assertThat(events).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(FakeHttp::json).toList();
    JsonNode opening = chunks.get(0).at("/choices/0/delta");
    assertThat(opening.path("role").asText()).isEqualTo("assistant");
    assertThat(opening.at("/tool_calls/0/index").asInt()).isZero();
    assertThat(opening.at("/tool_calls/0/id").asText()).isEqualTo(id);
    assertThat(opening.at("/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
    assertThat(opening.at("/tool_calls/0/function/arguments").asText()).isEmpty();
    List<JsonNode> pieces = chunks.subList(1, chunks.size() - 2);
    assertThat(pieces).hasSizeGreaterThan(1).allSatisfy(piece -> {
      assertThat(piece.at("/choices/0/delta/tool_calls/0/index").asInt()).isZero();
      assertThat(piece.at("/choices/0/delta/tool_calls/0/id").isMissingNode()).isTrue();
    });
    StringBuilder arguments = new StringBuilder();
    pieces.forEach(piece -> arguments.append(piece.at("/choices/0/delta/tool_calls/0/function/arguments").asText()));
    assertThat(FakeHttp.json(arguments.toString())).isEqualTo(FakeHttp.json(WEATHER_ARGUMENTS));
    assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(chunks.get(chunks.size() - 1).at("/usage/completion_tokens").asInt()).isEqualTo(pieces.size());
  }

  @Test
  void toolChoiceNamingAToolCallsThatOne() throws Exception {
    JsonNode answer = http.postForJson("/v1/chat/completions",
        ASK + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}}");

    JsonNode function = answer.at("/choices/0/message/tool_calls/0/function");
    assertThat(function.path("name").asText()).isEqualTo("get_time");
    assertThat(FakeHttp.json(function.path("arguments").asText())).isEqualTo(FakeHttp.json("{\"zone\":\"Paris\"}"));
  }

  @Test
  void flatToolsAndAFlatToolChoiceAsTheResponsesApiShapesThemAreReadToo() throws Exception {
    String flat = "{\"model\":\"fake-llama\",\"messages\":[" + QUESTION + "],\"tools\":["
        + "{\"type\":\"function\",\"name\":\"get_time\",\"parameters\":{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"}}}},"
        + "{\"type\":\"function\",\"name\":\"get_unit\",\"parameters\":{\"type\":\"object\",\"properties\":{"
        + "\"unit\":{\"enum\":[\"kelvin\"]}},\"required\":[\"unit\"]}}],\"tool_choice\":{\"type\":\"function\",\"name\":\"get_unit\"}";

    JsonNode chosen = http.postForJson("/v1/chat/completions", flat + "}").at("/choices/0/message/tool_calls/0/function");
    JsonNode first = http.postForJson("/api/chat", flat.replace("\"tool_choice\"", "\"ignored\"") + ",\"stream\":false}")
        .at("/message/tool_calls/0/function");

    assertThat(chosen.path("name").asText()).isEqualTo("get_unit");
    assertThat(FakeHttp.json(chosen.path("arguments").asText())).isEqualTo(FakeHttp.json("{\"unit\":\"kelvin\"}"));
    assertThat(first.path("name").asText()).isEqualTo("get_time");
    assertThat(first.path("arguments")).isEqualTo(FakeHttp.json("{\"zone\":\"Paris\"}"));
  }

  @Test
  void toolChoiceNoneGetsTextInEitherDialect() throws Exception {
    JsonNode openAi = http.postForJson("/v1/chat/completions", ASK + ",\"tool_choice\":\"none\"}");
    JsonNode ollama = http.postForJson("/api/chat", ASK + ",\"tool_choice\":\"none\",\"stream\":false}");

    assertThat(openAi.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(openAi.at("/choices/0/message/content").asText()).isNotBlank();
    assertThat(openAi.at("/choices/0/message/tool_calls").isMissingNode()).isTrue();
    assertThat(ollama.at("/message/content").asText()).isNotBlank();
    assertThat(ollama.at("/message/tool_calls").isMissingNode()).isTrue();
  }

  @Test
  void anOllamaChatWithToolsIsAnsweredWithTheCallWholeArgumentsAsAnObject() throws Exception {
    JsonNode answer = http.postForJson("/api/chat", ASK + ",\"stream\":false}");

    assertThat(answer.at("/message/role").asText()).isEqualTo("assistant");
    assertThat(answer.at("/message/content").asText()).isEmpty();
    JsonNode call = answer.at("/message/tool_calls/0");
    assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
    assertThat(call.at("/function/arguments")).isEqualTo(FakeHttp.json(WEATHER_ARGUMENTS));
    assertThat(answer.path("done").asBoolean()).isTrue();
    assertThat(answer.path("done_reason").asText()).isEqualTo("stop");
    assertThat(answer.path("eval_count").asInt()).isPositive();
  }

  @Test
  void aStreamedOllamaCallComesInOneLineBeforeTheDoneLine() throws Exception {
    HttpResponse<String> response = http.post("/api/chat", ASK + "}");

    List<JsonNode> lines = FakeHttp.lines(response.body());
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).path("done").asBoolean()).isFalse();
    assertThat(lines.get(0).at("/message/tool_calls/0/function/arguments")).isEqualTo(FakeHttp.json(WEATHER_ARGUMENTS));
    assertThat(lines.get(1).path("done").asBoolean()).isTrue();
    assertThat(lines.get(1).path("done_reason").asText()).isEqualTo("stop");
    assertThat(lines.get(1).path("eval_count").asInt()).isPositive();
  }

  @Test
  void afterAToolResultTheAnswerIsTextThatQuotesItInEitherDialect() throws Exception {
    String loop = "{\"model\":\"fake-llama\",\"messages\":[" + QUESTION + ","
        + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{}}}]},"
        + "{\"role\":\"tool\",\"tool_name\":\"get_weather\",\"content\":\"18 degrees and sunny\"}]," + TOOLS;

    JsonNode ollama = http.postForJson("/api/chat", loop + ",\"stream\":false}");
    JsonNode openAi = http.postForJson("/v1/chat/completions", loop + "}");

    assertThat(ollama.at("/message/content").asText()).startsWith("The tool said: 18 degrees and sunny. ");
    assertThat(ollama.at("/message/tool_calls").isMissingNode()).isTrue();
    assertThat(openAi.at("/choices/0/message/content").asText()).startsWith("The tool said: 18 degrees and sunny. ");
    assertThat(openAi.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void strictToolsAcceptsALoopWhoseResultsAnswerTheCallsBeforeThem() throws Exception {
    HttpResponse<String> response = strictHttp.post("/v1/chat/completions", openAiLoop("call_1", "call_1") + "}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(FakeHttp.json(response.body()).at("/choices/0/message/content").asText()).startsWith("The tool said: 18 degrees.");
  }

  @Test
  void strictToolsRefusesAToolMessageThatAnswersNoCallWithOpenAisOwn400() throws Exception {
    HttpResponse<String> response = strictHttp.post("/v1/chat/completions", openAiLoop("call_1", "call_2") + "}");

    assertIsOpenAisRefusal(response, 2,
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.");
  }

  @Test
  void strictToolsRefusesACallLeftUnansweredWithOpenAisOwn400() throws Exception {
    String twoCallsOneAnswer = "{\"model\":\"fake-llama\",\"messages\":[" + QUESTION + ","
        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" + call("call_1") + "," + call("call_2") + "]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18 degrees\"},"
        + "{\"role\":\"user\",\"content\":\"And tomorrow?\"}]}";

    HttpResponse<String> response = strictHttp.post("/v1/chat/completions", twoCallsOneAnswer);

    assertIsOpenAisRefusal(response, 1, "An assistant message with 'tool_calls' must be followed by tool messages"
        + " responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_2");
  }

  @Test
  void strictToolsRefusesAnEmptyListOfCallsAsOpenAiDoes() throws Exception {
    String emptyCalls = "{\"model\":\"fake-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"tool_calls\":[]}]}";

    HttpResponse<String> response = strictHttp.post("/v1/chat/completions", emptyCalls);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(FakeHttp.json(response.body()).at("/error/param").asText()).isEqualTo("messages[0].tool_calls");
    assertThat(FakeHttp.json(response.body()).at("/error/code").asText()).isEqualTo("empty_array");
  }

  @Test
  void withoutStrictToolsAndOnOllamasRoutesNothingIsChecked() throws Exception {
    String answersNoCall = openAiLoop("call_1", "call_2");

    assertThat(http.post("/v1/chat/completions", answersNoCall + "}").statusCode()).isEqualTo(200);
    assertThat(strictHttp.post("/api/chat", answersNoCall + ",\"stream\":false}").statusCode()).isEqualTo(200);
  }

  @Test
  @Timeout(60)
  void theCommandsStrictToolsFlagTurnsTheCheckOn() throws Exception {
    Process command = FakeHttp.command("--strict-tools");
    try (BufferedReader log = new BufferedReader(new InputStreamReader(command.getInputStream(), StandardCharsets.UTF_8))) {
      FakeHttp client = new FakeHttp(FakeHttp.listeningAt(log));

      assertThat(client.post("/v1/chat/completions", openAiLoop("call_1", "call_2") + "}").statusCode()).isEqualTo(400);
      assertThat(client.post("/v1/chat/completions", openAiLoop("call_1", "call_1") + "}").statusCode()).isEqualTo(200);
    } finally {
      command.destroy();
      command.waitFor();
    }
  }

  @Test
  void toolAnswersAreCountedAndASuddenDeathStrikesInTheMiddleOfAStreamedCall() throws Exception {
    AtomicBoolean struck = new AtomicBoolean();
    SuddenDeath secondAnswer = SuddenDeath.during(2, () -> {
      struck.set(true);
      throw new IllegalStateException("the test's stand-in for halting the process");
    });
    try (FakeOllama dying = FakeOllama.start(FakeOllama.Options.defaults(), secondAnswer)) {
      FakeHttp client = new FakeHttp(dying);
      client.post("/v1/chat/completions", ASK + "}");
      String cut = readUntilEnd(client, ASK + ",\"stream\":true}");

      assertThat(struck).isTrue();
      assertThat(cut).contains("\"tool_calls\"").doesNotContain("[DONE]");
      assertThat(dying.stats()).isEqualTo(new FakeOllama.Stats(2, 0, 1, 1, null));
    }
  }

  /** OpenAI's 400 for a conversation it refuses, word for word, naming the message at {@code index}. */
  private static void assertIsOpenAisRefusal(HttpResponse<String> response, int index, String message) {
    ObjectNode expected = FakeHttp.JSON.createObjectNode();
    expected.putObject("error")
        .put("message", message)
        .put("type", "invalid_request_error")
        .put("param", "messages.[" + index + "].role")
        .putNull("code");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(FakeHttp.json(response.body())).isEqualTo(expected);
  }

  /** A question, a call of get_weather with id {@code callId}, and a tool message answering {@code answeredId}. */
  private static String openAiLoop(String callId, String answeredId) {
    return "{\"model\":\"fake-llama\",\"messages\":[" + QUESTION + ","
        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" + call(callId) + "]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"" + answeredId + "\",\"content\":\"18 degrees\"}]," + TOOLS;
  }

  private static String call(String id) {
    return "{\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}";
  }

  /** The base URL the command logs once it listens. */
  /** What a stream delivered before it ended, however it ended. */
  private static String readUntilEnd(FakeHttp client, String body) throws InterruptedException {
    HttpRequest request = client.request("/v1/chat/completions")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    StringBuilder received = new StringBuilder();
    try (InputStream in = client.send(request, HttpResponse.BodyHandlers.ofInputStream()).body()) {
      byte[] buffer = new byte[4096];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // A stream cut short may end in an error rather than an orderly end; what came before counts.
    }
    return received.toString();
  }
}
