package dev.ollamabridge.agent;

import dev.ollamabridge.link.LinkPaths;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before dialling the console again: capped exponential backoff with full jitter (a
 * random delay up to {@code base · 2^failures}, at most {@code cap}), so that the agents of a console
 * that comes back do not all dial it in the same second.
 */
record Backoff(Duration base, Duration cap) {

  /** From up to 1 s, doubling, to up to 30 s ({@link LinkPaths#REDIAL_MAX_SECONDS}). */
  static Backoff standard() {
    return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(LinkPaths.REDIAL_MAX_SECONDS));
  }

  Backoff {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < base <= cap; got base " + base + ", cap " + cap);
    }
  }

  /** The delay after {@code failures} failed attempts in a row (0: the first retry). */
  Duration delay(int failures) {
    long ceiling = failures >= 30 ? cap.toMillis() : Math.min(cap.toMillis(), base.toMillis() << failures);
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
  }
}
