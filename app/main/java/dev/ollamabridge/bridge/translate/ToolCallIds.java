package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.digest.Sha256;
import java.util.ArrayList;
import java.util.List;

/**
 * Pairs tool results with the calls they answer across a conversation, as the two dialects name
 * them: OpenAI by {@code id} / {@code tool_call_id} (and a strict backend refuses a tool message
 * that answers no call), Ollama by order and {@code tool_name}. One per translated request: it is
 * told each message in order.
 */
final class ToolCallIds {

  private record Call(String id, String name) {}

  private final List<Call> open = new ArrayList<>();

  /**
   * The id of an assistant's tool call: its own, or one derived from where it stands and what it
   * asks, so the same conversation sent again gets the same ids (and the same cache key upstream).
   */
  String callMade(int message, int index, JsonNode call) {
    String name = call.path("function").path("name").asText();
    String id = call.hasNonNull("id") ? call.get("id").asText()
        : "call_" + Sha256.hex(message + "/" + index + "/" + name + "/" + call.path("function").path("arguments"))
            .substring(0, 24);
    if (index == 0) {
      open.clear(); // a new assistant turn: its calls are the ones the next tool messages answer
    }
    open.add(new Call(id, name));
    return id;
  }

  /** Gives an OpenAI tool message the id of the call it answers: its own, else the next open call of its tool's name, else the next open one. */
  void answerToOpenAi(ObjectNode tool) {
    String name = tool.path("tool_name").asText(tool.path("name").asText(""));
    tool.remove("tool_name");
    tool.remove("name");
    if (tool.hasNonNull("tool_call_id")) {
      open.removeIf(call -> call.id().equals(tool.get("tool_call_id").asText()));
      return;
    }
    Call answered = open.stream().filter(call -> call.name().equals(name)).findFirst()
        .orElse(open.isEmpty() ? null : open.get(0));
    if (answered != null) {
      open.remove(answered);
      tool.put("tool_call_id", answered.id());
    }
  }

  /** Gives an Ollama tool message the name of the tool whose call it answers (Ollama's {@code tool_name}). */
  void answerToOllama(ObjectNode tool) {
    String id = tool.path("tool_call_id").asText("");
    Call answered = open.stream().filter(call -> call.id().equals(id)).findFirst()
        .orElse(open.isEmpty() ? null : open.get(0));
    if (answered != null) {
      open.remove(answered);
      if (!tool.hasNonNull("tool_name")) {
        tool.put("tool_name", answered.name());
      }
    }
  }
}
