package dev.ollamabridge.bridge.translate;

/** Token counts of one answer, as the upstream reported them (0 when it did not). */
public record Usage(long promptTokens, long completionTokens) {

  public static final Usage NONE = new Usage(0, 0);

  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
