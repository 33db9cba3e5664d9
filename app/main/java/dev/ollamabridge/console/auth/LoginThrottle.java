package dev.ollamabridge.console.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;

/**
 * Slows down password guessing: each client (its remote address) may fail {@code failures} times,
 * after which it gets one more try every {@code window / failures} (5 in 15 minutes: one every 3
 * minutes). A successful login forgives the client's failures. Memory stays bounded: a client
 * untouched for a whole window would have all its tries back anyway, so it is forgotten.
 */
public final class LoginThrottle {

  private static final int MAX_CLIENTS = 10_000;

  private final int failures;
  private final Duration window;
  private final TimeMeter time;
  private final Cache<String, Bucket> clients;

  public LoginThrottle(int failures, Duration window, Ticker ticker) {
    if (failures < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("a login throttle allows at least 1 failure in a positive window: "
          + failures + " in " + window);
    }
    this.failures = failures;
    this.window = window;
    this.time = new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return ticker.read();
      }

      @Override
      public boolean isWallClockBased() {
        return false;
      }
    };
    this.clients = Caffeine.newBuilder()
        .maximumSize(MAX_CLIENTS)
        .expireAfterAccess(window)
        .ticker(ticker)
        .build();
  }

  /** Five failures in fifteen minutes. */
  public static LoginThrottle standard() {
    return new LoginThrottle(5, Duration.ofMinutes(15), Ticker.systemTicker());
  }

  /** Whether a client may try now, or in how many seconds it may. */
  public record Verdict(long retryAfterSeconds) {

    public static final Verdict ALLOWED = new Verdict(0);

    public boolean allowed() {
      return retryAfterSeconds == 0;
    }
  }

  /** Asks before checking a password; does not count as a try. */
  public Verdict check(String client) {
    Bucket bucket = clients.getIfPresent(client);
    if (bucket == null) {
      return Verdict.ALLOWED;
    }
    EstimationProbe probe = bucket.estimateAbilityToConsume(1);
    return probe.canBeConsumed() ? Verdict.ALLOWED
        : new Verdict(Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L));
  }

  /** Counts a wrong password. */
  public void failed(String client) {
    clients.get(client, key -> newBucket()).tryConsume(1);
  }

  /** Forgives the client's failures. */
  public void succeeded(String client) {
    clients.invalidate(client);
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(failures).refillGreedy(failures, window))
        .withCustomTimePrecision(time)
        .build();
  }
}
