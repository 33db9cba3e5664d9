package dev.ollamabridge.bridge;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;

/** {@code --rate-limit}: a token bucket of N requests per second for the whole bridge. */
final class RateLimit {

  private final Bucket bucket;

  RateLimit(int perSecond) {
    this.bucket = perSecond == 0 ? null : Bucket.builder()
        .addLimit(limit -> limit.capacity(perSecond).refillGreedy(perSecond, Duration.ofSeconds(1)))
        .build();
  }

  /** Takes a token; answers 0, or the whole seconds until one is back when the bucket is empty. */
  long tryAcquire() {
    if (bucket == null) {
      return 0;
    }
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? 0 : Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
  }
}
