package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.fake.FakeAnswers.Token;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Log probabilities for the fake's answers, made up from each token's text alone, so a streamed and
 * a whole answer carry the same ones. Every content token gets one entry; its alternatives start
 * with the token itself and fall off from there, all below zero, so together they read like a
 * model's. The shapes follow ollama/ollama's {@code api/types.go} ({@code Logprob},
 * {@code TokenLogprob}) and openai-openapi's {@code ChatCompletionTokenLogprob} and legacy
 * completion {@code logprobs}.
 */
final class FakeLogprobs {

  /** The most alternatives either API gives at one position. */
  static final int MAX_TOP = 20;

  private static final List<String> OTHERS = List.of(
      "a", "the", "this", "that", "it", "one", "some", "any", "each", "more", "less", "so", "but", "or", "yes",
      "no", "well", "now", "here", "there", "very", "just", "also", "only", "still");

  /** One alternative at a position. */
  record Alternative(String token, double logprob) {}

  /** The chosen token's entry; {@code top} starts with the token itself. */
  record Entry(String token, double logprob, List<Alternative> top) {}

  private FakeLogprobs() {}

  /**
   * How many alternatives an Ollama request asks for ({@code logprobs: true}, {@code top_logprobs:
   * N}), or -1 when it asks for none.
   */
  static int askedByOllama(JsonNode request) {
    // checked whether or not logprobs is true, as Ollama's server does
    int top = top(request.path("top_logprobs"), () -> OllamaRoutes.error(400, "top_logprobs must be between 0 and 20"));
    return request.path("logprobs").asBoolean(false) ? top : -1;
  }

  /** As {@link #askedByOllama}, for an OpenAI chat request: the same two fields. */
  static int askedByOpenAiChat(JsonNode request) {
    if (!request.path("logprobs").asBoolean(false)) {
      return -1;
    }
    return top(request.path("top_logprobs"), () -> OpenAiRoutes.error(400,
        "Invalid 'top_logprobs': integer from 0 to 20 expected.", "invalid_request_error", "top_logprobs",
        "integer_out_of_range"));
  }

  /** As {@link #askedByOllama}, for an OpenAI legacy completion: {@code logprobs} is the number itself. */
  static int askedByOpenAiCompletion(JsonNode request) {
    JsonNode logprobs = request.path("logprobs");
    if (logprobs.isMissingNode() || logprobs.isNull()) {
      return -1;
    }
    return top(logprobs, () -> OpenAiRoutes.error(400, "Invalid 'logprobs': integer from 0 to 20 expected.",
        "invalid_request_error", "logprobs", "integer_out_of_range"));
  }

  private static int top(JsonNode value, java.util.function.Supplier<ApiError> outOfRange) {
    if (value.isMissingNode() || value.isNull()) {
      return 0;
    }
    if (!value.isIntegralNumber() || value.asInt() < 0 || value.asInt() > MAX_TOP) {
      throw outOfRange.get();
    }
    return value.asInt();
  }

  /** The entries of the content tokens among {@code tokens}, with {@code top} alternatives each. */
  static List<Entry> entries(List<Token> tokens, int top) {
    List<Entry> entries = new ArrayList<>();
    for (Token token : tokens) {
      if (!token.thinking()) {
        entries.add(entry(token.text(), top));
      }
    }
    return entries;
  }

  /** String's hash is fixed by the language, so the numbers are the same in every run. */
  static Entry entry(String token, int top) {
    Random random = new Random(token.hashCode());
    double logprob = round(-0.7 - random.nextDouble() * 0.8);
    List<Alternative> alternatives = new ArrayList<>();
    if (top > 0) {
      alternatives.add(new Alternative(token, logprob));
    }
    Set<String> taken = new LinkedHashSet<>(List.of(token));
    double next = logprob;
    String space = token.startsWith(" ") ? " " : "";
    while (alternatives.size() < top) {
      String other = space + OTHERS.get(random.nextInt(OTHERS.size()));
      if (taken.add(other)) {
        next = round(next - 1.0 - random.nextDouble() * 0.5);
        alternatives.add(new Alternative(other, next));
      }
    }
    return new Entry(token, logprob, alternatives);
  }

  private static double round(double value) {
    return Math.round(value * 1_000_000) / 1_000_000.0;
  }

  /**
   * Entries as Ollama's {@code logprobs} and OpenAI chat's {@code logprobs.content} both have them:
   * {@code token}, {@code logprob}, {@code bytes}, {@code top_logprobs}. Ollama leaves out an empty
   * {@code top_logprobs} ({@code omitempty}); OpenAI always sends it.
   */
  static ArrayNode json(ObjectMapper json, List<Entry> entries, boolean openAi) {
    ArrayNode array = json.createArrayNode();
    for (Entry entry : entries) {
      ObjectNode node = alternative(array.addObject(), entry.token(), entry.logprob());
      if (openAi || !entry.top().isEmpty()) {
        ArrayNode top = node.putArray("top_logprobs");
        entry.top().forEach(other -> alternative(top.addObject(), other.token(), other.logprob()));
      }
    }
    return array;
  }

  /** OpenAI chat's {@code choices[].logprobs}: the content's entries, no refusal. */
  static ObjectNode chat(ObjectMapper json, List<Entry> entries) {
    ObjectNode logprobs = json.createObjectNode();
    logprobs.set("content", json(json, entries, true));
    return logprobs.putNull("refusal");
  }

  /**
   * OpenAI's legacy completion {@code logprobs}: parallel lists, the alternatives as a map per
   * position; {@code text_offset} counts characters from {@code offset}, where these tokens start
   * in the completion's text.
   */
  static ObjectNode legacy(ObjectMapper json, List<Entry> entries, int offset) {
    ObjectNode logprobs = json.createObjectNode();
    ArrayNode tokens = logprobs.putArray("tokens");
    ArrayNode tokenLogprobs = logprobs.putArray("token_logprobs");
    ArrayNode top = logprobs.putArray("top_logprobs");
    ArrayNode offsets = logprobs.putArray("text_offset");
    int at = offset;
    for (Entry entry : entries) {
      tokens.add(entry.token());
      tokenLogprobs.add(entry.logprob());
      ObjectNode alternatives = top.addObject();
      entry.top().forEach(other -> alternatives.put(other.token(), other.logprob()));
      offsets.add(at);
      at += entry.token().length();
    }
    return logprobs;
  }

  private static ObjectNode alternative(ObjectNode node, String token, double logprob) {
    node.put("token", token).put("logprob", logprob);
    ArrayNode bytes = node.putArray("bytes");
    for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
      bytes.add(b & 0xff);
    }
    return node;
  }
}
