package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code --strict-tools}: pairs tool results with tool calls the way the OpenAI API does, and
 * refuses a conversation that breaks the pairing with OpenAI's own 400, word for word (its
 * spelling "preceeding" included), so a bridge's translation of a tool loop can be tested
 * against it.
 */
final class StrictToolMessages {

  private StrictToolMessages() {}

  /**
   * Refuses a tool message without a {@code tool_call_id}, or with one no earlier assistant message
   * issued; and an assistant message whose {@code tool_calls} are not each answered by the tool
   * messages right after it; and an empty {@code tool_calls} list. The first offence, in message
   * order, is the one reported.
   */
  static void check(JsonNode messages) {
    Set<String> issued = new HashSet<>();
    Set<String> unanswered = new LinkedHashSet<>();
    int caller = -1;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      if ("tool".equals(message.path("role").asText())) {
        String id = message.path("tool_call_id").asText("");
        if (id.isEmpty() || !issued.contains(id)) {
          throw refused(i, "Invalid parameter: messages with role 'tool' must be a response to a preceeding message"
              + " with 'tool_calls'.");
        }
        unanswered.remove(id);
        continue;
      }
      failIfUnanswered(unanswered, caller);
      if (message.path("tool_calls").isArray() && message.path("tool_calls").isEmpty()) {
        String param = "messages[" + i + "].tool_calls";
        throw OpenAiRoutes.error(400, "Invalid '" + param + "': empty array. Expected an array with minimum length 1,"
            + " but got an empty array instead.", "invalid_request_error", param, "empty_array");
      }
      for (JsonNode call : message.path("tool_calls")) {
        String id = call.path("id").asText("");
        issued.add(id);
        unanswered.add(id);
        caller = i;
      }
    }
    failIfUnanswered(unanswered, caller);
  }

  private static void failIfUnanswered(Set<String> unanswered, int caller) {
    if (!unanswered.isEmpty()) {
      throw refused(caller, "An assistant message with 'tool_calls' must be followed by tool messages responding to"
          + " each 'tool_call_id'. The following tool_call_ids did not have response messages: "
          + String.join(", ", unanswered));
    }
  }

  private static ApiError refused(int message, String text) {
    return OpenAiRoutes.error(400, text, "invalid_request_error", "messages.[" + message + "].role", null);
  }
}
