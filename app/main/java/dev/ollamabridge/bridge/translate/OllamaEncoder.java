package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/** Writes chat and generate answers as Ollama does: NDJSON lines, a last one with the counts. */
final class OllamaEncoder implements ClientEncoder {

  private final Kind kind;
  private final String model;
  private final long startNanos = System.nanoTime();
  private long firstTextNanos;

  OllamaEncoder(Kind kind, String model) {
    this.kind = kind;
    this.model = model;
  }

  @Override
  public String streamContentType() {
    return "application/x-ndjson";
  }

  @Override
  public byte[] delta(Event.Delta delta) {
    if (firstTextNanos == 0) {
      firstTextNanos = System.nanoTime();
    }
    ObjectNode line = line(delta.content(), delta.reasoning());
    withLogprobs(line, delta.logprobs());
    line.put("done", false);
    return ndjson(line);
  }

  /** Ollama's top-level {@code logprobs}, left out when there are none, as Ollama's {@code omitempty} does. */
  private static void withLogprobs(ObjectNode line, List<TokenLogprob> logprobs) {
    if (!logprobs.isEmpty()) {
      line.set("logprobs", LogprobJson.write(logprobs, false));
    }
  }

  @Override
  public byte[] toolCalls(List<ToolCall> calls) {
    if (kind != Kind.CHAT) {
      return new byte[0]; // generate has no tools
    }
    ObjectNode line = line("", "");
    ((ObjectNode) line.get("message")).set("tool_calls", toolCallsNode(calls));
    line.put("done", false);
    return ndjson(line);
  }

  @Override
  public byte[] end(Event.End end) {
    return ndjson(last(line("", ""), end.finishReason(), end.usage()));
  }

  @Override
  public byte[] error(ObjectNode document) {
    return ndjson(document);
  }

  @Override
  public byte[] whole(Answer answer) {
    // A whole answer shows no first token: count all of its time as generation, so that
    // eval_count / eval_duration is the rate a client would compute from a real Ollama.
    firstTextNanos = startNanos;
    ObjectNode line = line(answer.content(), answer.reasoning());
    if (kind == Kind.CHAT && !answer.toolCalls().isEmpty()) {
      ((ObjectNode) line.get("message")).set("tool_calls", toolCallsNode(answer.toolCalls()));
    }
    withLogprobs(line, answer.logprobs());
    return Json.bytes(last(line, answer.finishReason(), answer.usage()));
  }

  private ObjectNode line(String content, String reasoning) {
    ObjectNode line = Json.object().put("model", model).put("created_at", Instant.now().toString());
    ObjectNode target = kind == Kind.CHAT ? line.putObject("message").put("role", "assistant") : line;
    target.put(kind == Kind.CHAT ? "content" : "response", content);
    if (!reasoning.isEmpty()) {
      target.put("thinking", reasoning);
    }
    return line;
  }

  /**
   * Ollama's closing fields. Durations are measured here (prompt = until the first text, eval =
   * after it), so clients that compute tokens per second get a sensible figure.
   */
  private ObjectNode last(ObjectNode line, String finishReason, Usage usage) {
    long now = System.nanoTime();
    long first = firstTextNanos == 0 ? now : firstTextNanos;
    line.put("done", true);
    line.put("done_reason", "length".equals(finishReason) ? "length" : "stop");
    line.put("total_duration", now - startNanos);
    line.put("load_duration", 0);
    line.put("prompt_eval_count", usage.promptTokens());
    line.put("prompt_eval_duration", first - startNanos);
    line.put("eval_count", usage.completionTokens());
    line.put("eval_duration", now - first);
    return line;
  }

  /** Ollama's shape: no id, no type, the arguments as an object. */
  private static ArrayNode toolCallsNode(List<ToolCall> calls) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (ToolCall call : calls) {
      ObjectNode function = array.addObject().putObject("function").put("name", call.name());
      function.set("arguments", argumentsObject(call.arguments()));
    }
    return array;
  }

  private static JsonNode argumentsObject(String arguments) {
    try {
      JsonNode parsed = Json.MAPPER.readTree(arguments.isBlank() ? "{}" : arguments);
      return parsed == null ? Json.object() : parsed;
    } catch (IOException e) {
      return Json.object().put("arguments", arguments); // not JSON: keep the text rather than lose it
    }
  }

  private static byte[] ndjson(ObjectNode node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(Json.bytes(node));
    out.write('\n');
    return out.toByteArray();
  }
}
