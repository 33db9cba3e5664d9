package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.fake.schema.SchemaInstances;
import java.io.IOException;
import java.io.Writer;
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

  /** Arguments longer than this as JSON text are given up for none: 64 KiB. */
  static final int MAX_ARGUMENTS = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private ToolCalls() {}

  /**
   * The call to answer with: when the request offers {@code tools}, its {@code tool_choice} is not
   * {@code "none"} and its last message is not a tool's result. The tool is the one
   * {@code tool_choice} names, else the first; its arguments are valid for its parameters' schema
   * (see {@link SchemaInstances}), every unconstrained string the question's last word.
   */
  static Optional<ToolCall> chosen(String model, JsonNode request) {
    JsonNode tools = request.path("tools");
    JsonNode choice = request.path("tool_choice");
    JsonNode messages = request.path("messages");
    if (!tools.isArray() || tools.isEmpty() || "none".equals(choice.asText()) || lastResult(messages).isPresent()) {
      return Optional.empty();
    }
    String named = choice.path("function").path("name").asText(choice.path("name").asText(""));
    JsonNode function = named.isEmpty() ? function(tools.get(0)) : offered(tools, named);
    String name = named.isEmpty() ? function.path("name").asText() : named;
    ObjectNode arguments = SchemaInstances.arguments(function.path("parameters"), lastWord(Prompts.lastUserText(messages)));
    if (!fits(arguments)) {
      arguments = JsonNodeFactory.instance.objectNode(); // a schema built to make the answer huge gets none
    }
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
      if (function(tool).path("name").asText().equals(name)) {
        return function(tool);
      }
    }
    return JsonNodeFactory.instance.missingNode();
  }

  /**
   * Whether the arguments' JSON text is at most {@link #MAX_ARGUMENTS} long; written only that far,
   * since values taken from a schema (its enums, its property names) may be shared many times.
   */
  private static boolean fits(ObjectNode arguments) {
    Writer bounded = new Writer() {
      private int written;

      @Override
      public void write(char[] text, int offset, int length) throws IOException {
        written += length;
        if (written > MAX_ARGUMENTS) {
          throw new IOException("tool arguments longer than " + MAX_ARGUMENTS);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    try {
      JSON.writeValue(bounded, arguments);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Chat nests a tool's name and parameters under {@code function}; the Responses API does not. */
  private static JsonNode function(JsonNode tool) {
    return tool.has("function") ? tool.path("function") : tool;
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
