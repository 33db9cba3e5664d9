package dev.ollamabridge.console.alerts;

import java.time.Duration;

/**
 * How hard a delivery is tried: up to {@code attempts} posts, waiting {@code firstWait} after the
 * first failure and twice as long after each next one, never more than {@code maxWait}; each post
 * gives up after {@code timeout}.
 */
public record DeliveryPolicy(int attempts, Duration firstWait, Duration maxWait, Duration timeout) {

  /** 5 attempts over about 15 s (1 s, 2 s, 4 s, 8 s between), 10 s each at most. */
  public static DeliveryPolicy standard() {
    return new DeliveryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10));
  }

  public DeliveryPolicy {
    if (attempts < 1 || firstWait.isNegative() || maxWait.compareTo(firstWait) < 0 || timeout.isNegative()
        || timeout.isZero()) {
      throw new IllegalArgumentException("a delivery policy needs attempts ≥ 1, 0 ≤ firstWait ≤ maxWait and a timeout");
    }
  }

  /** The wait after failed attempt {@code n} (1-based). */
  Duration waitAfter(int n) {
    Duration wait = firstWait;
    for (int i = 1; i < n && wait.compareTo(maxWait) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxWait) > 0 ? maxWait : wait;
  }
}
