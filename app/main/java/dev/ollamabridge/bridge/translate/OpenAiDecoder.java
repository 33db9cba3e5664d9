package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Decodes OpenAI chat and text completions: SSE chunks with deltas, usage in a last chunk. */
final class OpenAiDecoder implements UpstreamDecoder {

  private String finishReason;
  private Usage usage = Usage.NONE;
  private boolean ended;
  /** Tool calls stream as fragments by index: the id and name once, the arguments in pieces. */
  private final Map<Integer, String[]> toolCallParts = new TreeMap<>();
  private final Map<Integer, StringBuilder> toolCallArguments = new TreeMap<>();

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
      Event.Delta event = new Event.Delta(content, reasoning(delta), logprobs(choice, delta.isObject()));
      if (!event.isEmpty()) {
        events.add(event);
      }
      for (JsonNode fragment : delta.path("tool_calls")) {
        collect(fragment);
      }
      if (choice.hasNonNull("finish_reason")) {
        finishReason = choice.get("finish_reason").asText();
        flushToolCalls(events);
      }
    }
    return events;
  }

  private void collect(JsonNode fragment) {
    int index = fragment.path("index").asInt(toolCallParts.size());
    String[] parts = toolCallParts.computeIfAbsent(index, i -> new String[2]);
    if (fragment.hasNonNull("id")) {
      parts[0] = fragment.get("id").asText();
    }
    JsonNode function = fragment.path("function");
    if (function.hasNonNull("name")) {
      parts[1] = function.get("name").asText();
    }
    toolCallArguments.computeIfAbsent(index, i -> new StringBuilder()).append(Json.text(function, "arguments"));
  }

  private void flushToolCalls(List<Event> events) {
    if (toolCallParts.isEmpty()) {
      return;
    }
    List<ToolCall> calls = new ArrayList<>();
    toolCallParts.forEach((index, parts) ->
        calls.add(new ToolCall(parts[0], parts[1], toolCallArguments.get(index).toString())));
    toolCallParts.clear();
    toolCallArguments.clear();
    events.add(new Event.ToolCalls(calls));
  }

  @Override
  public List<Event> endOfStream(boolean doneMarker) {
    if (ended || (!doneMarker && finishReason == null)) {
      return List.of();
    }
    ended = true;
    List<Event> events = new ArrayList<>(2);
    flushToolCalls(events);
    events.add(new Event.End(finishReason == null ? "stop" : finishReason, usage));
    return events;
  }

  @Override
  public Answer whole(JsonNode body) {
    failOnError(body);
    JsonNode choice = body.path("choices").path(0);
    JsonNode message = choice.path("message");
    String content = message.isObject() ? Json.text(message, "content") : Json.text(choice, "text");
    List<ToolCall> calls = new ArrayList<>();
    for (JsonNode call : message.path("tool_calls")) {
      JsonNode function = call.path("function");
      calls.add(new ToolCall(call.path("id").asText(null), function.path("name").asText(), Json.text(function, "arguments")));
    }
    return new Answer(content, reasoning(message), choice.path("finish_reason").asText("stop"),
        usage(body.path("usage")), calls, logprobs(choice, message.isObject()));
  }

  /** A chat choice's {@code logprobs.content} (its refusal's are no content), or a completion's legacy lists. */
  private static List<TokenLogprob> logprobs(JsonNode choice, boolean chat) {
    JsonNode logprobs = choice.path("logprobs");
    return chat ? LogprobJson.read(logprobs.path("content")) : LogprobJson.readLegacy(logprobs);
  }

  /** DeepSeek and vLLM call it {@code reasoning_content}, OpenRouter and others {@code reasoning}. */
  private static String reasoning(JsonNode node) {
    String reasoning = Json.text(node, "reasoning_content");
    return reasoning.isEmpty() ? Json.text(node, "reasoning") : reasoning;
  }

  /**
   * The counts, with the reasoning part OpenAI, DeepSeek and OpenRouter give in
   * {@code completion_tokens_details.reasoning_tokens}; a part larger than the whole, or below
   * zero, is not believed past the whole or zero.
   */
  private static Usage usage(JsonNode usage) {
    long completion = usage.path("completion_tokens").asLong(0);
    long reasoning = usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0);
    return new Usage(usage.path("prompt_tokens").asLong(0), completion, Math.max(0, Math.min(reasoning, completion)));
  }

  private static void failOnError(JsonNode node) {
    if (node.hasNonNull("error")) {
      JsonNode error = node.get("error");
      throw new StreamError(error.isTextual() ? error.asText() : error.path("message").asText("upstream error"));
    }
  }
}
