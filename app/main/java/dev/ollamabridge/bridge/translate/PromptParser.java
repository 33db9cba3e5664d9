package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ollamabridge.bridge.ApiException;
import java.util.Map;
import java.util.Set;

/** Reads a client's generation request, in either dialect, into a {@link Prompt}. */
public final class PromptParser {

  /** OpenAI parameters with an Ollama option of the same meaning. */
  private static final Set<String> OPENAI_PARAMS =
      Set.of("temperature", "top_p", "seed", "presence_penalty", "frequency_penalty");

  private static final Set<String> OPENAI_HANDLED =
      Set.of(
          "model", "messages", "prompt", "stream", "stream_options", "response_format", "stop",
          "max_tokens", "max_completion_tokens", "temperature", "top_p", "seed",
          "presence_penalty", "frequency_penalty", "user", "logprobs", "top_logprobs");

  /** {@code keep_alive} only says how long the model stays loaded: it does not change answers. */
  private static final Set<String> OLLAMA_HANDLED =
      Set.of("model", "messages", "prompt", "system", "images", "stream", "options", "format",
          "keep_alive", "logprobs", "top_logprobs");

  private PromptParser() {}

  public static Prompt parse(Dialect dialect, Kind kind, ObjectNode body) {
    String model = requireModel(body);
    JsonNode stream = body.path("stream");
    if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) {
      throw ApiException.badRequest("stream", "stream must be true or false");
    }
    return dialect == Dialect.OPENAI ? openAi(kind, model, body) : ollama(kind, model, body);
  }

  private static Prompt openAi(Kind kind, String model, ObjectNode body) {
    ObjectNode params = Json.object();
    for (String name : OPENAI_PARAMS) {
      putNumber(params, name, body.get(name));
    }
    putNumber(params, "max_tokens", firstPresent(body, "max_tokens", "max_completion_tokens"));
    putStop(params, body.get("stop"));

    ArrayNode images = JsonNodeFactory.instance.arrayNode();
    ArrayNode messages = JsonNodeFactory.instance.arrayNode();
    String prompt = "";
    if (kind == Kind.CHAT) {
      JsonNode given = body.path("messages");
      if (!given.isArray() || given.isEmpty()) {
        throw ApiException.badRequest("messages", "messages must be a non-empty array of {role, content}");
      }
      for (JsonNode message : given) {
        messages.add(openAiMessage(message));
      }
    } else {
      prompt = openAiPrompt(body.path("prompt"));
    }
    return new Prompt(
        Dialect.OPENAI,
        kind,
        model,
        body.path("stream").asBoolean(false),
        messages,
        prompt,
        null,
        images,
        params,
        openAiFormat(body.path("response_format")),
        withLogprobs(rest(body, OPENAI_HANDLED), body, kind == Kind.GENERATE),
        body.path("stream_options").path("include_usage").asBoolean(false));
  }

  private static Prompt ollama(Kind kind, String model, ObjectNode body) {
    ObjectNode params = Json.object();
    JsonNode options = body.path("options");
    if (!options.isMissingNode() && !options.isNull() && !options.isObject()) {
      throw ApiException.badRequest("options", "options must be an object of model parameters");
    }
    for (Map.Entry<String, JsonNode> option : options.properties()) {
      String name = option.getKey().equals("num_predict") ? "max_tokens" : option.getKey();
      if (name.equals("stop")) {
        putStop(params, option.getValue());
      } else if (option.getValue().isNumber()) {
        putNumber(params, name, option.getValue());
      } else {
        params.set(name, option.getValue());
      }
    }
    ArrayNode messages = JsonNodeFactory.instance.arrayNode();
    if (kind == Kind.CHAT) {
      JsonNode given = body.path("messages");
      if (!given.isMissingNode() && !given.isNull() && !given.isArray()) {
        throw ApiException.badRequest("messages", "messages must be an array of {role, content}");
      }
      for (JsonNode message : given) {
        messages.add(ollamaMessage(message));
      }
    }
    JsonNode prompt = body.path("prompt");
    if (kind == Kind.GENERATE && !prompt.isMissingNode() && !prompt.isNull() && !prompt.isTextual()) {
      throw ApiException.badRequest("prompt", "prompt must be a string");
    }
    JsonNode format = body.path("format");
    return new Prompt(
        Dialect.OLLAMA,
        kind,
        model,
        body.path("stream").asBoolean(true), // Ollama streams unless told not to
        messages,
        prompt.asText(""),
        body.hasNonNull("system") ? body.get("system").asText() : null,
        body.path("images").isArray() ? (ArrayNode) body.get("images") : JsonNodeFactory.instance.arrayNode(),
        params,
        format.isObject() || (format.isTextual() && !format.asText().isEmpty()) ? format : null,
        withLogprobs(rest(body, OLLAMA_HANDLED), body, false),
        false);
  }

  /** The request's model, or a 400 that names the field: every route that takes a model asks here. */
  public static String requireModel(ObjectNode body) {
    JsonNode model = body.path("model");
    if (!model.isTextual() || model.asText().isBlank()) {
      throw ApiException.badRequest("model", "model is required: name the model to use, e.g. \"model\": \"llama3.2\"");
    }
    return model.asText();
  }

  /** A chat message with its content as text and any images as base64 data, as Ollama has it. */
  private static ObjectNode openAiMessage(JsonNode message) {
    if (!message.isObject() || !message.path("role").isTextual()) {
      throw ApiException.badRequest("messages", "each message must be an object with a role and content");
    }
    ObjectNode out = ((ObjectNode) message).deepCopy();
    JsonNode content = message.path("content");
    if (content.isArray()) {
      StringBuilder text = new StringBuilder();
      ArrayNode images = JsonNodeFactory.instance.arrayNode();
      for (JsonNode part : content) {
        switch (part.path("type").asText()) {
          case "text" -> text.append(part.path("text").asText());
          case "image_url" -> images.add(dataOf(part.path("image_url").path("url").asText()));
          default -> throw ApiException.badRequest("messages", "content part type '" + part.path("type").asText() + "' is not supported; use text or image_url");
        }
      }
      out.put("content", text.toString());
      if (!images.isEmpty()) {
        out.set("images", images);
      }
    } else if (content.isNull() || content.isMissingNode()) {
      out.put("content", "");
    } else if (!content.isTextual()) {
      throw ApiException.badRequest("messages", "message content must be a string or an array of parts");
    }
    return out;
  }

  private static ObjectNode ollamaMessage(JsonNode message) {
    if (!message.isObject() || !message.path("role").isTextual()) {
      throw ApiException.badRequest("messages", "each message must be an object with a role and content");
    }
    ObjectNode out = ((ObjectNode) message).deepCopy();
    if (!out.path("content").isTextual()) {
      out.put("content", "");
    }
    return out;
  }

  /** The base64 payload of a {@code data:} URL; other URLs are kept as they are. */
  private static String dataOf(String url) {
    int comma = url.indexOf(',');
    return url.startsWith("data:") && comma > 0 ? url.substring(comma + 1) : url;
  }

  private static String openAiPrompt(JsonNode prompt) {
    if (prompt.isTextual()) {
      return prompt.asText();
    }
    if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
      return prompt.get(0).asText();
    }
    throw ApiException.badRequest("prompt", "prompt must be a string (or an array of exactly one string)");
  }

  private static JsonNode openAiFormat(JsonNode responseFormat) {
    return switch (responseFormat.path("type").asText("text")) {
      case "json_object" -> TextNode.valueOf("json");
      case "json_schema" -> responseFormat.path("json_schema").path("schema");
      default -> null;
    };
  }

  private static JsonNode firstPresent(JsonNode body, String first, String second) {
    return body.hasNonNull(first) ? body.get(first) : body.get(second);
  }

  /** Numbers are stored canonically, so {@code 1} and {@code 1.0} make the same cache key. */
  private static void putNumber(ObjectNode params, String name, JsonNode value) {
    if (value == null || value.isNull()) {
      return;
    }
    if (!value.isNumber()) {
      throw ApiException.badRequest(name, name + " must be a number");
    }
    double number = value.asDouble();
    if (!Double.isFinite(number)) {
      throw ApiException.badRequest(name, name + " must be a finite number");
    }
    if (number == Math.rint(number) && Math.abs(number) < 1e15) {
      params.put(name, (long) number);
    } else {
      params.put(name, number);
    }
  }

  private static void putStop(ObjectNode params, JsonNode stop) {
    if (stop == null || stop.isNull()) {
      return;
    }
    ArrayNode words = JsonNodeFactory.instance.arrayNode();
    if (stop.isTextual()) {
      words.add(stop.asText());
    } else if (stop.isArray()) {
      stop.forEach(word -> words.add(word.asText()));
    } else {
      throw ApiException.badRequest("stop", "stop must be a string or an array of strings");
    }
    params.set("stop", words);
  }

  /**
   * Adds the log probabilities asked for to {@code extra} under neutral names: {@code logprobs: true},
   * and {@code top_logprobs: N} when alternatives are asked for; nothing when none are. Every way of
   * asking the same thing (OpenAI chat and Ollama's {@code logprobs}/{@code top_logprobs}, OpenAI's
   * legacy completion {@code logprobs: N}) so makes the same cache key, and not asking makes the key
   * of a request without them.
   *
   * @param legacy whether {@code logprobs} is the legacy completion's number of alternatives
   */
  private static ObjectNode withLogprobs(ObjectNode extra, ObjectNode body, boolean legacy) {
    JsonNode logprobs = body.get("logprobs");
    boolean asked;
    int top;
    if (legacy) {
      asked = logprobs != null && !logprobs.isNull();
      top = asked ? alternatives(logprobs, "logprobs") : 0;
    } else {
      if (logprobs != null && !logprobs.isNull() && !logprobs.isBoolean()) {
        throw ApiException.badRequest("logprobs", "logprobs must be true or false");
      }
      JsonNode topLogprobs = body.get("top_logprobs");
      top = topLogprobs == null || topLogprobs.isNull() ? 0 : alternatives(topLogprobs, "top_logprobs");
      asked = logprobs != null && logprobs.asBoolean();
    }
    if (asked) {
      extra.put("logprobs", true);
      if (top > 0) {
        extra.put("top_logprobs", top);
      }
    }
    return extra;
  }

  private static int alternatives(JsonNode value, String field) {
    if (!value.isIntegralNumber() || value.asLong() < 0 || value.asLong() > TokenLogprob.MAX_TOP) {
      throw ApiException.badRequest(field, field + " must be an integer from 0 to " + TokenLogprob.MAX_TOP
          + " (how many of the likeliest tokens to list at each position)");
    }
    return value.asInt();
  }

  private static ObjectNode rest(ObjectNode body, Set<String> handled) {
    ObjectNode rest = Json.object();
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      if (!handled.contains(field.getKey()) && !field.getValue().isNull()) {
        rest.set(field.getKey(), field.getValue());
      }
    }
    return rest;
  }
}
