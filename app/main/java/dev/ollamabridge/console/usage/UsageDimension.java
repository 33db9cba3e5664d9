package dev.ollamabridge.console.usage;

import java.util.Arrays;
import java.util.Optional;

/** What a usage report may be grouped by, as {@code group_by} names it. */
public enum UsageDimension {
  KEY("key"),
  MODEL("model"),
  INSTANCE("instance"),
  HOST("host");

  private final String word;

  UsageDimension(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }

  public static Optional<UsageDimension> of(String word) {
    return Arrays.stream(values()).filter(d -> d.word.equals(word)).findFirst();
  }
}
