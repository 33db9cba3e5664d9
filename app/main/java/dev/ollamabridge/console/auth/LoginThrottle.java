package dev.ollamabridge.console.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;

/**
 * Slows down password guessing. Each client (its remote address) may fail {@code perClient} times
 * in a window, after which it gets one more try every {@code window / perClient} (5 in 15 minutes:
 * one every 3 minutes); all clients together may fail {@code allClients} times in the same window,
 * so that an attacker with many addresses (a whole loopback /8, an IPv6 prefix) gets no more.
 *
 * <p>A try is taken before the password is checked ({@link #reserve}), not after it was found
 * wrong: a burst of parallel guesses gets as many checks as there are tries, never more. A right
 * password gives its try back and forgives the client's failures; a wrong one leaves it spent.
 * Memory stays bounded: a client untouched for a whole window would have all its tries back anyway,
 * so it is forgotten.
 */
public final class LoginThrottle {

  private static final int MAX_CLIENTS = 10_000;

  private final int perClient;
  private final Duration window;
  private final TimeMeter time;
  private final Bucket allClients;
  private final Cache<String, Bucket> clients;

  public LoginThrottle(int perClient, int allClients, Duration window, Ticker ticker) {
    if (perClient < 1 || allClients < perClient || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("a login throttle allows at least 1 failure per client, at least as many for"
          + " all clients, in a positive window: " + perClient + " and " + allClients + " in " + window);
    }
    this.perClient = perClient;
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
    this.allClients = bucket(allClients);
    this.clients = Caffeine.newBuilder()
        .maximumSize(MAX_CLIENTS)
        .expireAfterAccess(window)
        .ticker(ticker)
        .build();
  }

  /** Five failures per client, twenty for all clients together, in fifteen minutes. */
  public static LoginThrottle standard() {
    return new LoginThrottle(5, 20, Duration.ofMinutes(15), Ticker.systemTicker());
  }

  /**
   * Takes a try from {@code client} and from all clients, at once and before the password is
   * checked; or, when either has none left, says in how many seconds there will be one.
   */
  public Attempt reserve(String client) {
    Bucket own = clients.get(client, key -> bucket(perClient));
    ConsumptionProbe ownProbe = own.tryConsumeAndReturnRemaining(1);
    if (!ownProbe.isConsumed()) {
      return new Attempt(null, seconds(ownProbe), false);
    }
    ConsumptionProbe allProbe = allClients.tryConsumeAndReturnRemaining(1);
    if (!allProbe.isConsumed()) {
      own.addTokens(1);
      return new Attempt(null, seconds(allProbe), true);
    }
    return new Attempt(client, 0, false);
  }

  /** A try taken by {@link #reserve}, or the refusal of one. */
  public final class Attempt {

    private final String client;
    private final long retryAfterSeconds;
    private final boolean allClientsRefused;
    private boolean settled;

    private Attempt(String client, long retryAfterSeconds, boolean allClientsRefused) {
      this.client = client;
      this.retryAfterSeconds = retryAfterSeconds;
      this.allClientsRefused = allClientsRefused;
    }

    /** Whether the password may be checked now. */
    public boolean allowed() {
      return retryAfterSeconds == 0;
    }

    /** When refused: in how many seconds there is a try again. */
    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }

    /** When refused: whether by the cap on all clients together rather than on this one. */
    public boolean allClientsRefused() {
      return allClientsRefused;
    }

    /**
     * The password was right: the client's failures are forgiven and the try goes back to all
     * clients. A wrong password needs no call: its try stays spent.
     */
    public void succeeded() {
      if (!allowed() || settled) {
        return;
      }
      settled = true;
      clients.invalidate(client);
      allClients.addTokens(1);
    }
  }

  private static long seconds(ConsumptionProbe refused) {
    return Math.max(1, (refused.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
  }

  private Bucket bucket(int failures) {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(failures).refillGreedy(failures, window))
        .withCustomTimePrecision(time)
        .build();
  }
}
