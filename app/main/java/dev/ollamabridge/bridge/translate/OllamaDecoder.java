package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Decodes Ollama's chat and generate answers: NDJSON lines, the last one {@code done:true}. */
final class OllamaDecoder implements UpstreamDecoder {

  @Override
  public List<Event> chunk(JsonNode chunk) {
    failOnError(chunk);
    List<Event> events = new ArrayList<>(2);
    Event.Delta delta = delta(chunk);
    if (!delta.isEmpty()) {
      events.add(delta);
    }
    List<ToolCall> calls = toolCalls(chunk);
    if (!calls.isEmpty()) {
      events.add(new Event.ToolCalls(calls));
    }
    if (chunk.path("done").asBoolean(false)) {
      events.add(new Event.End(finishReason(chunk), usage(chunk)));
    }
    return events;
  }

  @Override
  public List<Event> endOfStream(boolean doneMarker) {
    return List.of(); // the done:true line has said it all, or the answer is incomplete
  }

  @Override
  public Answer whole(JsonNode body) {
    failOnError(body);
    Event.Delta delta = delta(body);
    return new Answer(delta.content(), delta.reasoning(), finishReason(body), usage(body), toolCalls(body),
        delta.logprobs());
  }

  /** Ollama sends each call whole, with its arguments as an object and without an id. */
  private static List<ToolCall> toolCalls(JsonNode chunk) {
    List<ToolCall> calls = new ArrayList<>();
    for (JsonNode call : chunk.path("message").path("tool_calls")) {
      JsonNode function = call.path("function");
      JsonNode arguments = function.path("arguments");
      calls.add(new ToolCall(
          "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24),
          function.path("name").asText(),
          arguments.isTextual() ? arguments.asText() : Json.string(arguments.isMissingNode() ? Json.object() : arguments)));
    }
    return calls;
  }

  /** Log probabilities sit at the top of a chat line as of a generate line, beside the text. */
  private static Event.Delta delta(JsonNode chunk) {
    List<TokenLogprob> logprobs = LogprobJson.read(chunk.path("logprobs"));
    JsonNode message = chunk.path("message");
    if (message.isObject()) {
      return new Event.Delta(Json.text(message, "content"), Json.text(message, "thinking"), logprobs);
    }
    return new Event.Delta(Json.text(chunk, "response"), Json.text(chunk, "thinking"), logprobs);
  }

  /** Ollama also says {@code load} or {@code unload}; for a client those are a normal stop. */
  private static String finishReason(JsonNode chunk) {
    return "length".equals(chunk.path("done_reason").asText()) ? "length" : "stop";
  }

  /** Ollama counts no reasoning tokens apart ({@code eval_count} holds them all), so there are none to pass on. */
  private static Usage usage(JsonNode chunk) {
    return new Usage(chunk.path("prompt_eval_count").asLong(0), chunk.path("eval_count").asLong(0));
  }

  private static void failOnError(JsonNode node) {
    if (node.hasNonNull("error")) {
      throw new StreamError(node.get("error").asText());
    }
  }
}
