package dev.ollamabridge.console.store;

import java.time.Duration;
import java.time.Instant;

/**
 * How much of a growing table is kept: at most {@code rows} of the newest rows, none older than
 * {@code maxAge}.
 */
public record Retention(int rows, Duration maxAge) {

  public Retention {
    if (rows < 1 || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("a retention keeps at least one row for some time");
    }
  }

  /** Rows created before this are past their age. */
  public Instant cutoff(Instant now) {
    return now.minus(maxAge);
  }
}
