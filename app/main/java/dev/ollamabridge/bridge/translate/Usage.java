package dev.ollamabridge.bridge.translate;

/**
 * Token counts of one answer, as the upstream reported them (0 when it did not).
 * {@code reasoningTokens} is the part of {@code completionTokens} spent on reasoning (OpenAI's
 * {@code completion_tokens_details.reasoning_tokens}), 0 when the upstream did not say.
 */
public record Usage(long promptTokens, long completionTokens, long reasoningTokens) {

  public static final Usage NONE = new Usage(0, 0, 0);

  /** Counts without a reasoning part. */
  public Usage(long promptTokens, long completionTokens) {
    this(promptTokens, completionTokens, 0);
  }

  /** Whether the upstream counted anything; an answer of no tokens at all is one it did not count. */
  public boolean reported() {
    return promptTokens > 0 || completionTokens > 0;
  }

  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
