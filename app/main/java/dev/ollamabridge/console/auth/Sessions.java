package dev.ollamabridge.console.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The web console's logins, in memory (a console restart logs everyone out). A session ends when
 * it is idle for {@code idle}, or at the latest {@code lifetime} after it began, whatever its use.
 */
public final class Sessions {

  private static final int MAX_SESSIONS = 10_000;

  private final Cache<String, Entry> sessions;
  private final Ticker ticker;
  private final SecureRandom random = new SecureRandom();

  public Sessions(Duration idle, Duration lifetime, Ticker ticker) {
    if (idle.isNegative() || idle.isZero() || lifetime.compareTo(idle) < 0) {
      throw new IllegalArgumentException("a session's idle expiry is positive and no longer than its lifetime: "
          + idle + " and " + lifetime);
    }
    this.ticker = ticker;
    this.sessions = Caffeine.newBuilder()
        .maximumSize(MAX_SESSIONS)
        .ticker(ticker)
        .expireAfter(new IdleOrLifetime(idle.toNanos(), lifetime.toNanos()))
        .build();
  }

  public Sessions(Duration idle, Duration lifetime) {
    this(idle, lifetime, Ticker.systemTicker());
  }

  /**
   * A login: {@code id} goes in the cookie, {@code csrfToken} in the pages' forms; both are 32
   * random bytes, base64url.
   */
  public record Session(String id, String user, String csrfToken) {
    /** Without the secrets, for logs. */
    @Override
    public String toString() {
      return "Session[user=" + user + "]";
    }
  }

  private record Entry(Session session, long startedNanos) {}

  /** Begins a session for {@code user}, who has just proved who they are. */
  public Session create(String user) {
    Session session = new Session(randomToken(), user, randomToken());
    sessions.put(session.id(), new Entry(session, ticker.read()));
    return session;
  }

  /** The live session with this id (which keeps it alive), or empty; {@code id} may be null. */
  public Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(sessions.getIfPresent(id)).map(Entry::session);
  }

  /** Logs out one session; an unknown id is no error. */
  public void end(String id) {
    if (id != null) {
      sessions.invalidate(id);
    }
  }

  /** Logs out everyone. */
  public void endAll() {
    sessions.invalidateAll();
  }

  /** Logs out everyone but {@code keep}: after a password change, the admin who changed it stays. */
  public void endAllBut(String keep) {
    sessions.asMap().keySet().removeIf(id -> !id.equals(keep));
  }

  /** Whether {@code token} is the session's CSRF token, compared in constant time. */
  public boolean csrfMatches(Session session, String token) {
    return session != null && token != null && MessageDigest.isEqual(
        session.csrfToken().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }

  private String randomToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Every use gives a session another {@code idle}, but never past {@code lifetime} after it began. */
  private record IdleOrLifetime(long idleNanos, long lifetimeNanos) implements Expiry<String, Entry> {

    @Override
    public long expireAfterCreate(String id, Entry entry, long now) {
      return left(entry, now);
    }

    @Override
    public long expireAfterUpdate(String id, Entry entry, long now, long remaining) {
      return left(entry, now);
    }

    @Override
    public long expireAfterRead(String id, Entry entry, long now, long remaining) {
      return left(entry, now);
    }

    private long left(Entry entry, long now) {
      return Math.max(0, Math.min(idleNanos, lifetimeNanos - (now - entry.startedNanos())));
    }
  }
}
