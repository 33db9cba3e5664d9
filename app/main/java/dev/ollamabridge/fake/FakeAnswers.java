package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.ToolCalls.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Makes up answers and embeddings that depend only on the request, so the same request always
 * gets the same answer and a cache in front of the fake can be tested byte for byte.
 */
final class FakeAnswers {

  /** Where reasoning tokens go, if the fake thinks at all. */
  enum Reasoning {
    /** No reasoning. */
    NONE,
    /** In the content, wrapped in {@code <think>} tags, as R1 behind a plain OpenAI API sends it. */
    INLINE,
    /** In a field of its own (Ollama's {@code thinking}), without tags. */
    SEPARATE
  }

  /** One streamed piece of output; {@code thinking} marks reasoning sent apart from the content. */
  record Token(String text, boolean thinking) {}

  /**
   * The tokens to send and why generation stopped ({@code stop} or {@code length}).
   *
   * @param call the tool the answer calls instead of saying something, or null; its tokens are
   *     then the pieces of its arguments' JSON text, which OpenAI streams one by one
   */
  record Answer(List<Token> tokens, String finishReason, ToolCall call) {

    Answer(List<Token> tokens, String finishReason) {
      this(tokens, finishReason, null);
    }

    boolean callsTool() {
      return call != null;
    }

    /** The text said; none when the answer calls a tool. */
    String content() {
      return callsTool() ? "" : join(false);
    }

    String thinking() {
      return join(true);
    }

    /**
     * The tokens spent on reasoning, as OpenAI counts them in {@code reasoning_tokens}: those sent
     * apart, or those from {@code <think>} to {@code </think>}, the tags included.
     */
    int reasoningTokens() {
      int count = 0;
      boolean inside = false;
      for (Token token : tokens) {
        inside |= token.text().equals("<think>");
        if (token.thinking() || inside) {
          count++;
        }
        inside &= !token.text().equals("</think>");
      }
      return count;
    }

    private String join(boolean thinkingPart) {
      StringBuilder text = new StringBuilder();
      for (Token token : tokens) {
        if (token.thinking() == thinkingPart) {
          text.append(token.text());
        }
      }
      return text.toString();
    }
  }

  static final int EMBEDDING_DIMENSIONS = 8;

  private static final int ARGUMENT_PIECES = 3;

  private static final List<String> REASONING = List.of("Let", " me", " think", " about", " this", ".");

  private static final List<String> VOCABULARY =
      List.of(
          "the", "model", "answer", "token", "stream", "cache", "bridge", "request", "quick", "brown",
          "fox", "jumps", "over", "lazy", "dog", "and", "then", "every", "small", "large", "river",
          "mountain", "signal", "noise", "light", "shadow", "number", "letter", "window", "door",
          "garden", "engine", "moves", "stays", "brings", "finds", "keeps", "turns", "quietly",
          "slowly", "bright", "early", "late", "across", "under", "between", "with", "without",
          "simple", "careful", "honest", "clear", "system", "network", "packet", "server", "client",
          "reply", "question", "idea", "story", "reason", "world", "time");

  private final int answerTokens;
  private final boolean thinks;

  FakeAnswers(int answerTokens, boolean thinks) {
    this.answerTokens = answerTokens;
    this.thinks = thinks;
  }

  boolean thinks() {
    return thinks;
  }

  /**
   * The answer to a chat request: a call of one of its tools if it offers any (see
   * {@link ToolCalls#chosen}); after a tool's result, text that starts by quoting it; else as
   * {@link #answer}.
   */
  Answer chat(String model, JsonNode request, Reasoning reasoning, int maxTokens) {
    Optional<ToolCall> call = ToolCalls.chosen(model, request);
    if (call.isPresent()) {
      return toolCall(call.get());
    }
    JsonNode messages = request.path("messages");
    String quote = ToolCalls.lastResult(messages).map(FakeAnswers::quote).orElse("");
    return text(model, Prompts.lastUserText(messages), quote, reasoning, maxTokens);
  }

  /**
   * The answer for {@code model} to {@code prompt}: optional reasoning, then {@code --tokens} words,
   * cut to {@code maxTokens} when that is positive and smaller (finish reason {@code length}).
   */
  Answer answer(String model, String prompt, Reasoning reasoning, int maxTokens) {
    return text(model, prompt, "", reasoning, maxTokens);
  }

  /** As {@link #answer}, with {@code lead} said word by word after the reasoning and before the words. */
  private Answer text(String model, String prompt, String lead, Reasoning reasoning, int maxTokens) {
    List<Token> tokens = new ArrayList<>();
    if (thinks && reasoning == Reasoning.INLINE) {
      tokens.add(new Token("<think>", false));
      REASONING.forEach(text -> tokens.add(new Token(text, false)));
      tokens.add(new Token("</think>", false));
      tokens.add(new Token("\n\n", false));
    } else if (thinks && reasoning == Reasoning.SEPARATE) {
      REASONING.forEach(text -> tokens.add(new Token(text, true)));
    }
    List<String> said = new ArrayList<>(lead.isEmpty() ? List.of() : List.of(lead.split(" ")));
    Random words = new Random(fingerprint(model + '\u0000' + prompt));
    for (int i = 0; i < answerTokens; i++) {
      String word = VOCABULARY.get(words.nextInt(VOCABULARY.size()));
      if (i == 0) {
        word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
      }
      said.add(i == answerTokens - 1 ? word + "." : word);
    }
    for (int i = 0; i < said.size(); i++) {
      tokens.add(new Token(i == 0 ? said.get(i) : " " + said.get(i), false));
    }
    if (maxTokens > 0 && maxTokens < tokens.size()) {
      return new Answer(List.copyOf(tokens.subList(0, maxTokens)), "length");
    }
    return new Answer(List.copyOf(tokens), "stop");
  }

  /** A call of a tool; its arguments' JSON text comes in three pieces, as a model would stream it. */
  static Answer toolCall(ToolCall call) {
    String arguments = call.argumentsJson();
    List<Token> pieces = new ArrayList<>();
    int from = 0;
    for (int piece = 1; piece <= ARGUMENT_PIECES; piece++) {
      int to = arguments.length() * piece / ARGUMENT_PIECES;
      if (to < arguments.length() && Character.isLowSurrogate(arguments.charAt(to))) {
        to++; // never split a character in two: each piece is sent as JSON on its own
      }
      if (to > from) {
        pieces.add(new Token(arguments.substring(from, to), false));
        from = to;
      }
    }
    return new Answer(List.copyOf(pieces), "stop", call);
  }

  /** "The tool said: 18 degrees." starts the answer after a tool's result, so a test sees it arrived. */
  private static String quote(String result) {
    String said = result.strip();
    return "The tool said: " + (said.endsWith(".") ? said : said + ".");
  }

  /** A unit-length vector that depends only on {@code text}. */
  static double[] embedding(String text) {
    Random components = new Random(fingerprint(text));
    double[] vector = new double[EMBEDDING_DIMENSIONS];
    double squares = 0;
    for (int i = 0; i < vector.length; i++) {
      vector[i] = components.nextGaussian();
      squares += vector[i] * vector[i];
    }
    double length = Math.sqrt(squares);
    for (int i = 0; i < vector.length; i++) {
      vector[i] /= length;
    }
    return vector;
  }

  /** Whitespace-separated words, the fake's stand-in for a tokenizer. */
  static int words(String text) {
    String trimmed = text == null ? "" : text.strip();
    return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
  }

  /** FNV-1a over UTF-8: stable across JVMs and runs, unlike a seed taken from a clock. */
  private static long fingerprint(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
