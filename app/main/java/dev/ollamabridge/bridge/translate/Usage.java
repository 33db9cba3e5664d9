package dev.ollamabridge.bridge.translate;

/** Token counts of one answer, as the upstream reported them (0 when it did not). */
public record Usage(long promptTokens, long completionTokens) {

  public static final Usage NONE = new Usage(0, 0);

  /** Whether the upstream counted anything; an answer of no tokens at all is one it did not count. */
  public boolean reported() {
    return promptTokens > 0 || completionTokens > 0;
  }

  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
