package dev.ollamabridge.bridge.cache;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * A circuit breaker for the Redis tier. Closed, every call goes through. After a failure it opens:
 * no call goes through for a while (1 s, doubling after each failed probe up to 30 s, each wait
 * jittered by ±20 % so that the bridges of a cluster do not probe in step); then one call goes
 * through (half-open) and its outcome closes it or opens it again. Redis answering closes it.
 */
final class Breaker {

  static final Duration FIRST_WAIT = Duration.ofSeconds(1);
  static final Duration LONGEST_WAIT = Duration.ofSeconds(30);

  private final LongSupplier nanos;
  private boolean open;
  private boolean probing;
  private long retryAtNanos;
  private long waitNanos = FIRST_WAIT.toNanos();

  Breaker(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /** Whether a call may go now; when half-open, only the first caller gets {@code true}. */
  synchronized boolean allow() {
    if (!open) {
      return true;
    }
    if (probing || nanos.getAsLong() - retryAtNanos < 0) {
      return false;
    }
    probing = true;
    return true;
  }

  synchronized void succeeded() {
    open = false;
    probing = false;
    waitNanos = FIRST_WAIT.toNanos();
  }

  /** Opens it (again, for twice as long, after a failed probe); answers how long it stays open. */
  synchronized Duration failed() {
    if (open && !probing) {
      // a call that began before it opened: the wait already runs
      return Duration.ofNanos(Math.max(0, retryAtNanos - nanos.getAsLong()));
    }
    if (open) {
      waitNanos = Math.min(waitNanos * 2, LONGEST_WAIT.toNanos());
    }
    long jittered = (long) (waitNanos * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
    open = true;
    probing = false;
    retryAtNanos = nanos.getAsLong() + jittered;
    return Duration.ofNanos(jittered);
  }
}
