package dev.ollamabridge.fake;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/** Holds the current {@link Faults} for all request threads and decides which requests fail. */
final class LiveFaults {

  private final AtomicReference<Faults> current;
  private final AtomicLong faultableRequests = new AtomicLong();

  LiveFaults(Faults initial) {
    this.current = new AtomicReference<>(initial);
  }

  Faults current() {
    return current.get();
  }

  Faults update(UnaryOperator<Faults> change) {
    return current.updateAndGet(change);
  }

  /**
   * Whether the next generation or embedding request should fail. A counter rather than a random
   * draw makes the failures reproducible: with rate 0.5 exactly every second request fails, with
   * 0.25 every fourth.
   */
  boolean nextRequestFails() {
    double rate = current.get().errorRate();
    long n = faultableRequests.incrementAndGet();
    // The epsilon keeps rates such as 0.1 from losing a failure to floating-point rounding.
    return Math.floor(n * rate + 1e-9) > Math.floor((n - 1) * rate + 1e-9);
  }
}
