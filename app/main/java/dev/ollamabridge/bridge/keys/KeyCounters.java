package dev.ollamabridge.bridge.keys;

import dev.ollamabridge.link.KeyRule;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Each key's requests in the current minute and tokens in the current UTC day, against its
 * {@link KeyRule#requestsPerMinute()} and {@link KeyRule#tokensPerDay()}. Windows are fixed (a
 * minute, a day, from the epoch), so that every bridge counts into the same ones.
 *
 * <p>With a {@link Shared} store (the bridge's Redis tier), the counts are the cluster's:
 * {@code ollama-bridge:key:<id>:m:<epochMinute>} and {@code ollama-bridge:key:<id>:d:<epochDay>},
 * each expiring after its window. While the store fails, this bridge's own counts stand in; they
 * are kept all along, so they hold this bridge's share of the window. A refused request still
 * counts against its minute: a client that keeps hammering stays refused until the minute ends.
 */
public final class KeyCounters {

  /** A counter store shared by the bridges of a cluster. */
  public interface Shared {
    /**
     * Adds {@code by} (0 reads) to the counter {@code key}, which expires {@code ttl} from now;
     * answers its new value, or empty when the store cannot be reached now.
     */
    OptionalLong add(String key, long by, Duration ttl);
  }

  /** What a request may do: go on, or wait {@code retryAfterSeconds} (over its rate or its budget). */
  public record Verdict(Kind kind, long limit, long retryAfterSeconds) {
    public enum Kind { ALLOWED, RATE, BUDGET }

    static final Verdict ALLOWED = new Verdict(Kind.ALLOWED, 0, 0);
  }

  /** Minute counters outlive their minute a little, for a bridge whose clock is behind. */
  private static final Duration MINUTE_TTL = Duration.ofMinutes(2);
  private static final Duration DAY_TTL = Duration.ofDays(2);
  private static final long DAY_SECONDS = 86_400;

  private final Shared shared;
  private final Clock clock;
  private final ConcurrentMap<String, Local> local = new ConcurrentHashMap<>();

  /** @param shared the cluster's store, or null to count on this bridge only */
  public KeyCounters(Shared shared, Clock clock) {
    this.shared = shared;
    this.clock = clock;
  }

  /** Counts one request of {@code key} and answers whether it may go on. */
  public Verdict admit(KeyRule key) {
    if (key.internal() || key.requestsPerMinute() == 0 && key.tokensPerDay() == 0) {
      return Verdict.ALLOWED;
    }
    long nowSeconds = clock.millis() / 1000;
    long minute = nowSeconds / 60;
    long day = nowSeconds / DAY_SECONDS;
    Local mine = local.computeIfAbsent(key.id(), id -> new Local());
    if (key.requestsPerMinute() > 0) {
      long counted = mine.request(minute);
      long requests = shared(key, "m", minute, 1, MINUTE_TTL).orElse(counted);
      if (requests > key.requestsPerMinute()) {
        return new Verdict(Verdict.Kind.RATE, key.requestsPerMinute(), Math.max(1, (minute + 1) * 60 - nowSeconds));
      }
    }
    if (key.tokensPerDay() > 0) {
      long spent = shared(key, "d", day, 0, DAY_TTL).orElse(mine.tokens(day, 0));
      if (spent >= key.tokensPerDay()) {
        return new Verdict(Verdict.Kind.BUDGET, key.tokensPerDay(), Math.max(1, (day + 1) * DAY_SECONDS - nowSeconds));
      }
    }
    return Verdict.ALLOWED;
  }

  /** Adds the tokens a completed answer spent to the key's day. */
  public void spent(KeyRule key, long tokens) {
    if (key.internal() || key.tokensPerDay() == 0 || tokens <= 0) {
      return;
    }
    long day = clock.millis() / 1000 / DAY_SECONDS;
    local.computeIfAbsent(key.id(), id -> new Local()).tokens(day, tokens);
    shared(key, "d", day, tokens, DAY_TTL);
  }

  private OptionalLong shared(KeyRule key, String window, long index, long by, Duration ttl) {
    return shared == null ? OptionalLong.empty()
        : shared.add("ollama-bridge:key:" + key.id() + ":" + window + ":" + index, by, ttl);
  }

  /** One key's counts on this bridge, in its current minute and day. */
  private static final class Local {
    private long minute = -1;
    private long requests;
    private long day = -1;
    private long tokens;

    synchronized long request(long now) {
      if (now != minute) {
        minute = now;
        requests = 0;
      }
      return ++requests;
    }

    synchronized long tokens(long now, long add) {
      if (now != day) {
        day = now;
        tokens = 0;
      }
      tokens += add;
      return tokens;
    }
  }
}
