package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.ApiException;
import java.util.Map;
import java.util.Set;

/**
 * The generation request to send upstream: the client's own body when both sides speak the same
 * dialect, a translation of its {@link Prompt} when they do not.
 *
 * @param path relative to the upstream's API root ({@code /api/chat}, {@code /chat/completions})
 */
public record UpstreamRequest(String path, ObjectNode body) {

  /** OpenAI parameters an OpenAI-compatible upstream understands; Ollama-only options are dropped. */
  private static final Set<String> OPENAI_PARAMS =
      Set.of("temperature", "top_p", "seed", "presence_penalty", "frequency_penalty", "max_tokens", "stop");

  public static UpstreamRequest of(Prompt prompt, ObjectNode clientBody, Dialect upstream) {
    if (upstream == Dialect.OLLAMA) {
      String path = prompt.kind() == Kind.CHAT ? "/api/chat" : "/api/generate";
      return new UpstreamRequest(path, prompt.dialect() == upstream ? clientBody : toOllama(prompt));
    }
    if (prompt.dialect() == upstream) {
      // a stream is asked for its usage (a copy: the client's body is the cache's and the answer's);
      // a whole answer carries it anyway, so its request goes as the client sent it
      ObjectNode body = prompt.stream() ? clientBody.deepCopy() : clientBody;
      askForUsage(body, prompt.stream());
      return new UpstreamRequest(prompt.kind() == Kind.CHAT ? "/chat/completions" : "/completions", body);
    }
    // Many OpenAI-compatible APIs no longer serve /completions: Ollama's generate becomes a chat.
    return new UpstreamRequest("/chat/completions", toOpenAi(prompt));
  }

  /**
   * Refuses (400, naming it) a parameter the upstream's dialect cannot honour, rather than drop it:
   * the client would get an answer other than the one it asked for. Checked before the cache.
   */
  public static void checkTranslatable(Prompt prompt, ObjectNode clientBody, Dialect upstream) {
    if (prompt.dialect() == Dialect.OPENAI && upstream == Dialect.OLLAMA) {
      JsonNode n = clientBody.get("n");
      if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asInt() == 1)) {
        throw ApiException.badRequest("n", "n must be 1: this bridge's backend speaks Ollama's API, which makes one answer per request");
      }
    }
  }

  static ObjectNode toOllama(Prompt prompt) {
    ObjectNode body = Json.object();
    body.put("model", prompt.model());
    if (prompt.kind() == Kind.CHAT) {
      ArrayNode messages = body.putArray("messages");
      ToolCallIds ids = new ToolCallIds();
      int position = 0;
      for (JsonNode message : prompt.messages()) {
        messages.add(ollamaMessage((ObjectNode) message, position++, ids));
      }
    } else {
      body.put("prompt", prompt.prompt());
      if (prompt.system() != null) {
        body.put("system", prompt.system());
      }
      if (!prompt.images().isEmpty()) {
        body.set("images", prompt.images());
      }
    }
    body.put("stream", prompt.stream());
    ObjectNode options = Json.object();
    for (Map.Entry<String, JsonNode> param : prompt.params().properties()) {
      options.set(param.getKey().equals("max_tokens") ? "num_predict" : param.getKey(), param.getValue());
    }
    if (!options.isEmpty()) {
      body.set("options", options);
    }
    if (prompt.format() != null) {
      body.set("format", prompt.format());
    }
    if (prompt.extra().has("tools")) {
      body.set("tools", prompt.extra().get("tools"));
    }
    askForLogprobs(body, prompt);
    return body;
  }

  static ObjectNode toOpenAi(Prompt prompt) {
    ObjectNode body = Json.object();
    body.put("model", prompt.model());
    ArrayNode messages = body.putArray("messages");
    if (prompt.kind() == Kind.CHAT) {
      ToolCallIds ids = new ToolCallIds();
      int position = 0;
      for (JsonNode message : prompt.messages()) {
        messages.add(openAiMessage((ObjectNode) message, position++, ids));
      }
    } else {
      if (prompt.system() != null && !prompt.system().isEmpty()) {
        messages.addObject().put("role", "system").put("content", prompt.system());
      }
      ObjectNode user = Json.object().put("role", "user").put("content", prompt.prompt());
      if (!prompt.images().isEmpty()) {
        user.set("images", prompt.images());
      }
      messages.add(openAiMessage(user, 0, new ToolCallIds()));
    }
    body.put("stream", prompt.stream());
    askForUsage(body, prompt.stream());
    for (Map.Entry<String, JsonNode> param : prompt.params().properties()) {
      if (OPENAI_PARAMS.contains(param.getKey())) {
        body.set(param.getKey(), param.getValue());
      }
    }
    if (prompt.format() != null) {
      ObjectNode format = body.putObject("response_format");
      if (prompt.format().isTextual()) {
        format.put("type", "json_object");
      } else {
        format.put("type", "json_schema");
        format.putObject("json_schema").put("name", "response").set("schema", prompt.format());
      }
    }
    if (prompt.extra().has("tools")) {
      body.set("tools", prompt.extra().get("tools"));
    }
    askForLogprobs(body, prompt);
    return body;
  }

  /**
   * Ollama's {@code /api/chat} and {@code /api/generate} and OpenAI's chat ask for log probabilities
   * alike: {@code logprobs: true} and {@code top_logprobs: N}, as the prompt has them (see
   * {@link PromptParser}); a legacy completion's {@code logprobs: N} arrives here in that form too.
   */
  private static void askForLogprobs(ObjectNode body, Prompt prompt) {
    if (prompt.extra().path("logprobs").asBoolean(false)) {
      body.put("logprobs", true);
      if (prompt.extra().has("top_logprobs")) {
        body.set("top_logprobs", prompt.extra().get("top_logprobs"));
      }
    }
  }

  /** Usage comes at the end of an OpenAI stream only when asked for; the bridge always wants it. */
  private static void askForUsage(ObjectNode body, boolean stream) {
    if (stream) {
      body.putObject("stream_options").put("include_usage", true);
    }
  }

  private static ObjectNode ollamaMessage(ObjectNode message, int position, ToolCallIds ids) {
    ObjectNode out = message.deepCopy();
    if ("tool".equals(message.path("role").asText())) {
      ids.answerToOllama(out);
    }
    JsonNode calls = message.path("tool_calls");
    out.remove("tool_calls"); // an empty list, as some clients send on every message, is no list of calls
    if (calls.isArray() && !calls.isEmpty()) {
      ArrayNode converted = out.putArray("tool_calls");
      int index = 0;
      for (JsonNode call : calls) {
        ids.callMade(position, index++, call);
        JsonNode arguments = call.path("function").path("arguments");
        ObjectNode function = converted.addObject().putObject("function");
        function.put("name", call.path("function").path("name").asText());
        function.set("arguments", arguments.isTextual() ? parseOrText(arguments.asText()) : arguments);
      }
    }
    return out;
  }

  private static ObjectNode openAiMessage(ObjectNode message, int position, ToolCallIds ids) {
    ObjectNode out = message.deepCopy();
    out.remove("images");
    out.remove("thinking");
    if ("tool".equals(message.path("role").asText())) {
      ids.answerToOpenAi(out);
    }
    JsonNode images = message.path("images");
    if (images.isArray() && !images.isEmpty()) {
      ArrayNode parts = out.putArray("content");
      parts.addObject().put("type", "text").put("text", message.path("content").asText());
      for (JsonNode image : images) {
        String data = image.asText();
        String url = data.startsWith("http") ? data : "data:" + ImageType.of(data) + ";base64," + data;
        parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
      }
    }
    JsonNode calls = message.path("tool_calls");
    out.remove("tool_calls"); // OpenAI refuses an empty list, which Ollama clients send on every message
    if (calls.isArray() && !calls.isEmpty()) {
      ArrayNode converted = out.putArray("tool_calls");
      int index = 0;
      for (JsonNode call : calls) {
        JsonNode arguments = call.path("function").path("arguments");
        ObjectNode entry = converted.addObject();
        entry.put("id", ids.callMade(position, index++, call));
        entry.put("type", "function");
        ObjectNode function = entry.putObject("function");
        function.put("name", call.path("function").path("name").asText());
        function.put("arguments", arguments.isTextual() ? arguments.asText() : Json.string(arguments));
      }
    }
    return out;
  }

  private static JsonNode parseOrText(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (Exception e) {
      return JsonNodeFactory.instance.textNode(text);
    }
  }
}
