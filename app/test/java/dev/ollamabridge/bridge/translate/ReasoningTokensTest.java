package dev.ollamabridge.bridge.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reasoning tokens as an OpenAI-compatible backend counts them ({@code
 * completion_tokens_details.reasoning_tokens}) reach the chat and Responses clients' usage; a count
 * nobody gave is not made up.
 */
class ReasoningTokensTest {

  private static final String COUNTED = """
      {"prompt_tokens":3,"completion_tokens":9,"total_tokens":12,"completion_tokens_details":{"reasoning_tokens":4}}""";

  @Test
  void aWholeOpenAiAnswerCarriesItsReasoningTokens() {
    Answer answer = UpstreamDecoder.of(Dialect.OPENAI).whole(json("""
        {"choices":[{"index":0,"message":{"role":"assistant","content":"Hi","reasoning_content":"hmm"},\
        "finish_reason":"stop"}],"usage":%s}""".formatted(COUNTED)));

    assertThat(answer.usage()).isEqualTo(new Usage(3, 9, 4));
  }

  @Test
  void aStreamedOpenAiAnswerEndsWithItsReasoningTokens() {
    UpstreamDecoder decoder = UpstreamDecoder.of(Dialect.OPENAI);
    List<Event> events = new ArrayList<>();
    events.addAll(decoder.chunk(json("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}")));
    events.addAll(decoder.chunk(json("{\"choices\":[],\"usage\":" + COUNTED + "}")));
    events.addAll(decoder.endOfStream(true));

    assertThat(events).last().isEqualTo(new Event.End("stop", new Usage(3, 9, 4)));
  }

  @Test
  void aCountLargerThanTheWholeOrBelowZeroIsNotBelieved() {
    UpstreamDecoder decoder = UpstreamDecoder.of(Dialect.OPENAI);
    String body = """
        {"choices":[{"index":0,"message":{"content":"Hi"},"finish_reason":"stop"}],\
        "usage":{"prompt_tokens":3,"completion_tokens":9,"completion_tokens_details":{"reasoning_tokens":%d}}}""";

    assertThat(decoder.whole(json(body.formatted(99))).usage().reasoningTokens()).isEqualTo(9);
    assertThat(decoder.whole(json(body.formatted(-5))).usage().reasoningTokens()).isZero();
  }

  @Test
  void aChatClientSeesTheCountOnlyWhenTheBackendGaveOne() {
    JsonNode counted = json(new OpenAiEncoder(Kind.CHAT, "m", false).whole(new Answer("Hi", "hmm", "stop", new Usage(3, 9, 4))));
    JsonNode uncounted = json(new OpenAiEncoder(Kind.CHAT, "m", false).whole(new Answer("Hi", "hmm", "stop", new Usage(3, 9))));

    assertThat(counted.at("/usage/completion_tokens_details/reasoning_tokens").asLong()).isEqualTo(4);
    assertThat(uncounted.path("usage").has("completion_tokens_details")).isFalse();
  }

  @Test
  void aStreamingChatClientSeesTheCountInItsUsageChunk() {
    ClientEncoder encoder = new OpenAiEncoder(Kind.CHAT, "m", true);
    String text = utf8(encoder.delta(new Event.Delta("Hi", ""))) + utf8(encoder.end(new Event.End("stop", new Usage(3, 9, 4))));

    String[] events = text.split("\n\n");
    JsonNode usage = json(events[events.length - 2].substring("data: ".length()).getBytes(StandardCharsets.UTF_8));
    assertThat(usage.at("/usage/completion_tokens_details/reasoning_tokens").asLong()).isEqualTo(4);
  }

  @Test
  void aResponsesClientSeesTheCountAndZeroWhenNoneWasGiven() {
    JsonNode counted = json(ClientEncoder.responses(Json.object(), "m").whole(new Answer("Hi", "hmm", "stop", new Usage(3, 9, 4))));
    JsonNode uncounted = json(ClientEncoder.responses(Json.object(), "m").whole(new Answer("Hi", "hmm", "stop", new Usage(3, 9))));

    assertThat(counted.at("/usage/output_tokens_details/reasoning_tokens").asLong()).isEqualTo(4);
    assertThat(counted.at("/usage/output_tokens").asLong()).isEqualTo(9);
    // OpenAI's usage object requires the field; 0 is what Ollama's own /v1/responses sends too
    assertThat(uncounted.at("/usage/output_tokens_details/reasoning_tokens").asLong()).isZero();
  }

  private static JsonNode json(String text) {
    return json(text.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode json(byte[] bytes) {
    try {
      return Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
