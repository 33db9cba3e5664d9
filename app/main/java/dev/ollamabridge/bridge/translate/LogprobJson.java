package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link TokenLogprob}s read from and written as JSON in both dialects' shapes: the entry list that
 * Ollama's {@code logprobs} (ollama/ollama {@code api/types.go}, {@code Logprob}) and OpenAI chat's
 * {@code logprobs.content} (openai-openapi {@code ChatCompletionTokenLogprob}) share, and OpenAI's
 * legacy completion {@code logprobs} ({@code tokens}, {@code token_logprobs}, {@code top_logprobs},
 * {@code text_offset}).
 *
 * <p>What a backend sends is read whole or not at all: a list that is malformed, or larger than
 * {@link #MAX_ENTRIES}, is read as none, so the client never gets a list that no longer matches its
 * text. Alternatives beyond {@link TokenLogprob#MAX_TOP} are dropped.
 */
public final class LogprobJson {

  /** The most entries one piece of an answer may carry: far more tokens than one document has. */
  static final int MAX_ENTRIES = 100_000;

  private LogprobJson() {}

  /** The entries of Ollama's {@code logprobs} or OpenAI chat's {@code logprobs.content}; empty when absent or malformed. */
  public static List<TokenLogprob> read(JsonNode entries) {
    if (!entries.isArray() || entries.size() > MAX_ENTRIES) {
      return List.of();
    }
    List<TokenLogprob> read = new ArrayList<>(entries.size());
    for (JsonNode entry : entries) {
      if (!isEntry(entry)) {
        return List.of();
      }
      List<TokenLogprob.Alternative> top = new ArrayList<>();
      for (JsonNode alternative : entry.path("top_logprobs")) {
        if (!isEntry(alternative)) {
          return List.of();
        }
        if (top.size() < TokenLogprob.MAX_TOP) {
          top.add(new TokenLogprob.Alternative(
              alternative.get("token").asText(), alternative.get("logprob").asDouble(), bytes(alternative)));
        }
      }
      read.add(new TokenLogprob(entry.get("token").asText(), entry.get("logprob").asDouble(), bytes(entry), top));
    }
    return read;
  }

  /** The entries of a legacy completion's {@code logprobs}; empty when absent or malformed. */
  static List<TokenLogprob> readLegacy(JsonNode logprobs) {
    JsonNode tokens = logprobs.path("tokens");
    JsonNode values = logprobs.path("token_logprobs");
    JsonNode tops = logprobs.path("top_logprobs");
    if (!tokens.isArray() || tokens.size() > MAX_ENTRIES || values.size() != tokens.size()
        || !(tops.isArray() || tops.isMissingNode() || tops.isNull())) {
      return List.of();
    }
    List<TokenLogprob> read = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      if (!tokens.get(i).isTextual() || !values.get(i).isNumber()) {
        return List.of();
      }
      List<TokenLogprob.Alternative> top = new ArrayList<>();
      JsonNode alternatives = tops.path(i);
      if (!alternatives.isObject() && !alternatives.isMissingNode() && !alternatives.isNull()) {
        return List.of();
      }
      for (Map.Entry<String, JsonNode> alternative : alternatives.properties()) {
        if (!alternative.getValue().isNumber()) {
          return List.of();
        }
        top.add(new TokenLogprob.Alternative(alternative.getKey(), alternative.getValue().asDouble(), null));
      }
      top.sort(Comparator.comparingDouble(TokenLogprob.Alternative::logprob).reversed());
      read.add(new TokenLogprob(tokens.get(i).asText(), values.get(i).asDouble(), null,
          top.subList(0, Math.min(top.size(), TokenLogprob.MAX_TOP))));
    }
    return read;
  }

  /**
   * The entry list in Ollama's shape ({@code openAi} false: {@code bytes} and an empty
   * {@code top_logprobs} left out, as Ollama's {@code omitempty} does) or OpenAI's (every field
   * present, {@code bytes} null when unknown).
   */
  public static ArrayNode write(List<TokenLogprob> logprobs, boolean openAi) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (TokenLogprob logprob : logprobs) {
      ObjectNode entry = token(array.addObject(), logprob.token(), logprob.logprob(), logprob.bytes(), openAi);
      if (openAi || !logprob.top().isEmpty()) {
        ArrayNode top = entry.putArray("top_logprobs");
        logprob.top().forEach(other -> token(top.addObject(), other.token(), other.logprob(), other.bytes(), openAi));
      }
    }
    return array;
  }

  /**
   * A legacy completion's {@code logprobs}. {@code text_offset} counts characters of the completion's
   * text from {@code offset}, where these tokens start in it (the prompt is not counted, as in vLLM).
   */
  static ObjectNode writeLegacy(List<TokenLogprob> logprobs, int offset) {
    ObjectNode node = Json.object();
    ArrayNode tokens = node.putArray("tokens");
    ArrayNode values = node.putArray("token_logprobs");
    ArrayNode tops = node.putArray("top_logprobs");
    ArrayNode offsets = node.putArray("text_offset");
    int at = offset;
    for (TokenLogprob logprob : logprobs) {
      tokens.add(logprob.token());
      values.add(logprob.logprob());
      Map<String, Double> top = new LinkedHashMap<>();
      logprob.top().forEach(other -> top.putIfAbsent(other.token(), other.logprob()));
      ObjectNode alternatives = tops.addObject();
      top.forEach(alternatives::put);
      offsets.add(at);
      at += logprob.token().length();
    }
    return node;
  }

  /** Characters the entries' tokens add up to, for the next piece's {@code text_offset}. */
  static int length(List<TokenLogprob> logprobs) {
    return logprobs.stream().mapToInt(logprob -> logprob.token().length()).sum();
  }

  private static boolean isEntry(JsonNode entry) {
    return entry.isObject() && entry.path("token").isTextual() && entry.path("logprob").isNumber();
  }

  /** The token's UTF-8 bytes as sent, or null when absent or not a list of bytes. */
  private static List<Integer> bytes(JsonNode entry) {
    JsonNode bytes = entry.path("bytes");
    if (!bytes.isArray()) {
      return null;
    }
    List<Integer> read = new ArrayList<>(bytes.size());
    for (JsonNode b : bytes) {
      if (!b.isIntegralNumber() || b.asInt() < 0 || b.asInt() > 255) {
        return null;
      }
      read.add(b.asInt());
    }
    return read;
  }

  private static ObjectNode token(ObjectNode node, String token, double logprob, List<Integer> bytes, boolean openAi) {
    node.put("token", token).put("logprob", logprob);
    if (bytes != null) {
      ArrayNode array = node.putArray("bytes");
      bytes.forEach(array::add);
    } else if (openAi) {
      node.putNull("bytes");
    }
    return node;
  }
}
