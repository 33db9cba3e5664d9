package dev.ollamabridge.fake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

  /** The tokens to send and why generation stopped ({@code stop} or {@code length}). */
  record Answer(List<Token> tokens, String finishReason) {

    String content() {
      return join(false);
    }

    String thinking() {
      return join(true);
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
   * The answer for {@code model} to {@code prompt}: optional reasoning, then {@code --tokens} words,
   * cut to {@code maxTokens} when that is positive and smaller (finish reason {@code length}).
   */
  Answer answer(String model, String prompt, Reasoning reasoning, int maxTokens) {
    List<Token> tokens = new ArrayList<>();
    if (thinks && reasoning == Reasoning.INLINE) {
      tokens.add(new Token("<think>", false));
      REASONING.forEach(text -> tokens.add(new Token(text, false)));
      tokens.add(new Token("</think>", false));
      tokens.add(new Token("\n\n", false));
    } else if (thinks && reasoning == Reasoning.SEPARATE) {
      REASONING.forEach(text -> tokens.add(new Token(text, true)));
    }
    Random words = new Random(fingerprint(model + '\u0000' + prompt));
    for (int i = 0; i < answerTokens; i++) {
      String word = VOCABULARY.get(words.nextInt(VOCABULARY.size()));
      if (i == 0) {
        word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
      } else {
        word = " " + word;
      }
      if (i == answerTokens - 1) {
        word = word + ".";
      }
      tokens.add(new Token(word, false));
    }
    if (maxTokens > 0 && maxTokens < tokens.size()) {
      return new Answer(List.copyOf(tokens.subList(0, maxTokens)), "length");
    }
    return new Answer(List.copyOf(tokens), "stop");
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
