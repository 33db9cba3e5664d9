package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.digest.Sha256;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a chat request gets a tool call instead of text, and makes the call up from the
 * request alone: the same request always calls the same tool with the same arguments and id.
 */
final class ToolCalls {

  /**
   * One call of a tool, the same in both dialects.
   *
   * @param id OpenAI's {@code call_…} id; Ollama's calls carry none
   */
  record ToolCall(String id, String name, ObjectNode arguments) {

    /** The arguments as OpenAI sends them: JSON text. */
    String argumentsJson() {
      return arguments.toString();
    }
  }

  private ToolCalls() {}

  /**
   * The call to answer with: when the request offers {@code tools}, its {@code tool_choice} is not
   * {@code "none"} and its last message is not a tool's result. The tool is the one
   * {@code tool_choice} names, else the first.
   */
  static Optional<ToolCall> chosen(String model, JsonNode request) {
    JsonNode tools = request.path("tools");
    JsonNode choice = request.path("tool_choice");
    JsonNode messages = request.path("messages");
    if (!tools.isArray() || tools.isEmpty() || "none".equals(choice.asText()) || lastResult(messages).isPresent()) {
      return Optional.empty();
    }
    String named = choice.path("function").path("name").asText("");
    JsonNode function = named.isEmpty() ? tools.get(0).path("function") : offered(tools, named);
    String name = named.isEmpty() ? function.path("name").asText() : named;
    ObjectNode arguments = arguments(function.path("parameters").path("properties"), Prompts.lastUserText(messages));
    String id = "call_" + Sha256.hex(model + '\u0000' + messages + '\u0000' + name + '\u0000' + arguments).substring(0, 24);
    return Optional.of(new ToolCall(id, name, arguments));
  }

  /** The content of the last message if it is a tool's result (role {@code tool}). */
  static Optional<String> lastResult(JsonNode messages) {
    JsonNode last = messages.path(messages.size() - 1);
    return "tool".equals(last.path("role").asText()) ? Optional.of(Prompts.text(last.path("content"))) : Optional.empty();
  }

  /** The function of the tool called {@code name}; a tool not offered has no schema, so no arguments. */
  private static JsonNode offered(JsonNode tools, String name) {
    for (JsonNode tool : tools) {
      if (tool.path("function").path("name").asText().equals(name)) {
        return tool.path("function");
      }
    }
    return JsonNodeFactory.instance.missingNode();
  }

  /**
   * A value for each property the schema types plainly: an enum's first value, a string derived
   * from the question, 1 for numbers, true for booleans; objects, arrays and the like are left out.
   */
  private static ObjectNode arguments(JsonNode properties, String question) {
    ObjectNode arguments = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> property : properties.properties()) {
      JsonNode schema = property.getValue();
      String key = property.getKey();
      JsonNode values = schema.path("enum");
      if (values.isArray() && !values.isEmpty()) {
        arguments.set(key, values.get(0));
        continue;
      }
      switch (schema.path("type").asText()) {
        case "string" -> arguments.put(key, lastWord(question));
        case "number", "integer" -> arguments.put(key, 1);
        case "boolean" -> arguments.put(key, true);
        default -> { }
      }
    }
    return arguments;
  }

  /** "Weather in Paris?" gives "Paris": the last word that has letters or digits, without the rest. */
  private static String lastWord(String text) {
    String[] words = text.strip().split("\\s+");
    for (int i = words.length - 1; i >= 0; i--) {
      String word = words[i].replaceAll("[^\\p{L}\\p{N}]", "");
      if (!word.isEmpty()) {
        return word;
      }
    }
    return "fake";
  }
}
