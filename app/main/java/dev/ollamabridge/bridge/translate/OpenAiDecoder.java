package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Decodes OpenAI chat and text completions: SSE chunks with deltas, usage in a last chunk. */
final class OpenAiDecoder implements UpstreamDecoder {

  private String finishReason;
  private Usage usage = Usage.NONE;
  private boolean ended;

  @Override
  public List<Event> chunk(JsonNode chunk) {
    failOnError(chunk);
    List<Event> events = new ArrayList<>(1);
    if (chunk.path("usage").isObject()) {
      usage = usage(chunk.path("usage"));
    }
    JsonNode choice = chunk.path("choices").path(0);
    if (choice.isObject()) {
      JsonNode delta = choice.path("delta");
      String content = delta.isObject() ? Json.text(delta, "content") : Json.text(choice, "text");
      Event.Delta event = new Event.Delta(content, reasoning(delta));
      if (!event.isEmpty()) {
        events.add(event);
      }
      if (choice.hasNonNull("finish_reason")) {
        finishReason = choice.get("finish_reason").asText();
      }
    }
    return events;
  }

  @Override
  public List<Event> endOfStream(boolean doneMarker) {
    if (ended || (!doneMarker && finishReason == null)) {
      return List.of();
    }
    ended = true;
    return List.of(new Event.End(finishReason == null ? "stop" : finishReason, usage));
  }

  @Override
  public Answer whole(JsonNode body) {
    failOnError(body);
    JsonNode choice = body.path("choices").path(0);
    JsonNode message = choice.path("message");
    String content = message.isObject() ? Json.text(message, "content") : Json.text(choice, "text");
    return new Answer(
        content, reasoning(message), choice.path("finish_reason").asText("stop"), usage(body.path("usage")));
  }

  /** DeepSeek and vLLM call it {@code reasoning_content}, OpenRouter and others {@code reasoning}. */
  private static String reasoning(JsonNode node) {
    String reasoning = Json.text(node, "reasoning_content");
    return reasoning.isEmpty() ? Json.text(node, "reasoning") : reasoning;
  }

  private static Usage usage(JsonNode usage) {
    return new Usage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0));
  }

  private static void failOnError(JsonNode node) {
    if (node.hasNonNull("error")) {
      JsonNode error = node.get("error");
      throw new StreamError(error.isTextual() ? error.asText() : error.path("message").asText("upstream error"));
    }
  }
}
