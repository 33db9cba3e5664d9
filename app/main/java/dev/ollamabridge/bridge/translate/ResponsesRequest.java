package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.ApiException;
import java.util.Set;

/**
 * A request to OpenAI's Responses API ({@code POST /v1/responses}) as the chat completion it asks
 * for, so that it takes the chat path to either dialect: {@code instructions} become the system
 * message, {@code input} items become messages (function calls and their outputs become tool calls
 * and tool messages paired by {@code call_id}), flat function tools become chat tools, and
 * {@code text.format} becomes {@code response_format}.
 *
 * <p>Fields that only concern what OpenAI stores or reports ({@code store}, {@code metadata},
 * {@code include}, {@code truncation}, …) do not change the answer and are left out. The bridge
 * keeps no conversation state: what needs it ({@code previous_response_id},
 * {@code conversation}, {@code background}, item references) is a 400 that says so.
 */
public final class ResponsesRequest {

  /** Fields that need state this bridge does not keep. */
  private static final Set<String> STATEFUL = Set.of("previous_response_id", "conversation", "background", "prompt");

  private ResponsesRequest() {}

  /** The chat completions body for {@code request}; a 400 naming the field for what cannot be translated. */
  public static ObjectNode toChat(ObjectNode request) {
    ObjectNode chat = Json.object();
    chat.put("model", PromptParser.requireModel(request));
    for (String field : STATEFUL) {
      JsonNode value = request.get(field);
      if (value != null && !value.isNull() && !(value.isBoolean() && !value.asBoolean())) {
        throw ApiException.badRequest(field, field + " is not supported: this bridge keeps no conversation state;"
            + " send the whole conversation in input");
      }
    }
    ArrayNode messages = chat.putArray("messages");
    JsonNode instructions = request.get("instructions");
    if (instructions != null && !instructions.isNull()) {
      if (!instructions.isTextual()) {
        throw ApiException.badRequest("instructions", "instructions must be a string");
      }
      messages.addObject().put("role", "system").put("content", instructions.asText());
    }
    addInput(messages, request.path("input"));
    if (messages.isEmpty()) {
      throw ApiException.badRequest("input", "input is required: a string or a non-empty array of items");
    }
    copy(request, chat, "stream", "temperature", "top_p", "parallel_tool_calls", "user");
    if (request.hasNonNull("max_output_tokens")) {
      chat.set("max_tokens", request.get("max_output_tokens"));
    }
    JsonNode effort = request.path("reasoning").path("effort");
    if (effort.isTextual()) {
      chat.put("reasoning_effort", effort.asText());
    }
    JsonNode format = request.path("text").path("format");
    if (format.isObject()) {
      chat.set("response_format", responseFormat(format));
    }
    if (request.hasNonNull("tools")) {
      chat.set("tools", tools(request.get("tools")));
    }
    if (request.hasNonNull("tool_choice")) {
      chat.set("tool_choice", toolChoice(request.get("tool_choice")));
    }
    return chat;
  }

  private static void addInput(ArrayNode messages, JsonNode input) {
    if (input.isTextual()) {
      messages.addObject().put("role", "user").put("content", input.asText());
      return;
    }
    if (!input.isArray()) {
      throw ApiException.badRequest("input", "input is required: a string or a non-empty array of items");
    }
    int index = 0;
    for (JsonNode item : input) {
      String field = "input[" + index++ + "]";
      if (!item.isObject()) {
        throw ApiException.badRequest(field, field + " must be an object such as {\"role\": \"user\", \"content\": \"…\"}");
      }
      String type = item.path("type").asText("message");
      switch (type) {
        case "message" -> messages.add(message(item, field));
        case "function_call" -> functionCall(messages, item, field);
        case "function_call_output" -> messages.addObject()
            .put("role", "tool")
            .put("tool_call_id", required(item, "call_id", field))
            .put("content", outputText(item.path("output")));
        case "reasoning" -> {
          // the model's earlier reasoning: chat has no place for it, and backends do not want it back
        }
        default -> throw ApiException.badRequest(field, field + " has type '" + type + "', which this bridge does not"
            + " support; it takes messages, function_call and function_call_output items");
      }
    }
  }

  private static ObjectNode message(JsonNode item, String field) {
    String role = item.path("role").asText("");
    if (!Set.of("user", "assistant", "system", "developer").contains(role)) {
      throw ApiException.badRequest(field, field + ".role must be user, assistant, system or developer");
    }
    // every chat backend knows "system"; not all know "developer"
    ObjectNode message = Json.object().put("role", role.equals("developer") ? "system" : role);
    JsonNode content = item.path("content");
    if (content.isTextual()) {
      return message.put("content", content.asText());
    }
    if (!content.isArray()) {
      throw ApiException.badRequest(field, field + ".content must be a string or an array of content parts");
    }
    ArrayNode parts = message.putArray("content");
    int index = 0;
    for (JsonNode part : content) {
      String partField = field + ".content[" + index++ + "]";
      switch (part.path("type").asText()) {
        case "input_text", "output_text" -> parts.addObject().put("type", "text").put("text", part.path("text").asText());
        case "refusal" -> parts.addObject().put("type", "text").put("text", part.path("refusal").asText());
        case "input_image" -> {
          if (!part.path("image_url").isTextual()) {
            throw ApiException.badRequest(partField, partField + " needs an image_url (a data: or https: URL);"
                + " file ids need OpenAI's file store");
          }
          ObjectNode url = parts.addObject().put("type", "image_url").putObject("image_url")
              .put("url", part.path("image_url").asText());
          if (part.path("detail").isTextual()) {
            url.put("detail", part.path("detail").asText());
          }
        }
        default -> throw ApiException.badRequest(partField, partField + " has type '" + part.path("type").asText()
            + "'; this bridge takes input_text, output_text and input_image parts");
      }
    }
    // a message of text parts only reads as plain text to backends without content parts
    boolean textOnly = true;
    for (JsonNode part : parts) {
      textOnly &= part.path("type").asText().equals("text");
    }
    if (textOnly) {
      StringBuilder text = new StringBuilder();
      parts.forEach(part -> text.append(part.path("text").asText()));
      message.put("content", text.toString());
    }
    return message;
  }

  /** A call joins the assistant message just before it, as the calls of one chat turn do. */
  private static void functionCall(ArrayNode messages, JsonNode item, String field) {
    ObjectNode call = Json.object().put("id", required(item, "call_id", field)).put("type", "function");
    call.putObject("function").put("name", required(item, "name", field)).put("arguments", item.path("arguments").asText("{}"));
    JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
    ObjectNode turn;
    if (last != null && last.path("role").asText().equals("assistant")) {
      turn = (ObjectNode) last;
    } else {
      turn = messages.addObject().put("role", "assistant").putNull("content");
    }
    (turn.path("tool_calls").isArray() ? (ArrayNode) turn.get("tool_calls") : turn.putArray("tool_calls")).add(call);
  }

  /** A function's output is a string, or parts of which the text ones count. */
  private static String outputText(JsonNode output) {
    if (output.isTextual()) {
      return output.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : output) {
      text.append(part.path("text").asText(""));
    }
    return text.toString();
  }

  private static JsonNode responseFormat(JsonNode format) {
    String type = format.path("type").asText("text");
    return switch (type) {
      case "text" -> Json.object().put("type", "text");
      case "json_object" -> Json.object().put("type", "json_object");
      case "json_schema" -> {
        ObjectNode out = Json.object().put("type", "json_schema");
        ObjectNode schema = out.putObject("json_schema").put("name", format.path("name").asText("response"));
        schema.set("schema", format.path("schema"));
        if (format.has("strict")) {
          schema.set("strict", format.get("strict"));
        }
        if (format.has("description")) {
          schema.set("description", format.get("description"));
        }
        yield out;
      }
      default -> throw ApiException.badRequest("text.format", "text.format.type must be text, json_object or json_schema");
    };
  }

  /** Flat function tools ({@code {type, name, parameters}}) as chat nests them under {@code function}. */
  private static ArrayNode tools(JsonNode tools) {
    if (!tools.isArray()) {
      throw ApiException.badRequest("tools", "tools must be an array of function tools");
    }
    ArrayNode out = Json.MAPPER.createArrayNode();
    int index = 0;
    for (JsonNode tool : tools) {
      String field = "tools[" + index++ + "]";
      if (!tool.path("type").asText().equals("function")) {
        throw ApiException.badRequest(field, field + " has type '" + tool.path("type").asText()
            + "'; this bridge runs no built-in tools, only function tools");
      }
      ObjectNode function = out.addObject().put("type", "function").putObject("function")
          .put("name", required(tool, "name", field));
      for (String key : new String[] {"description", "parameters", "strict"}) {
        if (tool.hasNonNull(key)) {
          function.set(key, tool.get(key));
        }
      }
    }
    return out;
  }

  private static JsonNode toolChoice(JsonNode choice) {
    if (choice.isTextual()) {
      return choice;
    }
    if (choice.path("type").asText().equals("function") && choice.path("name").isTextual()) {
      ObjectNode out = Json.object().put("type", "function");
      out.putObject("function").put("name", choice.path("name").asText());
      return out;
    }
    throw ApiException.badRequest("tool_choice", "tool_choice must be auto, none, required or {\"type\": \"function\", \"name\": …}");
  }

  private static String required(JsonNode item, String name, String field) {
    JsonNode value = item.path(name);
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw ApiException.badRequest(field, field + "." + name + " is required");
    }
    return value.asText();
  }

  private static void copy(ObjectNode from, ObjectNode to, String... fields) {
    for (String field : fields) {
      if (from.hasNonNull(field)) {
        to.set(field, from.get(field));
      }
    }
  }
}
