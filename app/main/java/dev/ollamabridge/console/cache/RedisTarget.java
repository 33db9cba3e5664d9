package dev.ollamabridge.console.cache;

/**
 * The Redis the bridges with the cache on share, as they are launched with it: its URL (their
 * {@code --cache-redis}) and its password (their {@code BRIDGE_CACHE_REDIS_PASSWORD}), or {@link #OFF}.
 *
 * @param url {@code redis://HOST:PORT[/DB]} or {@code rediss://…}, never with a password; null when off
 * @param password null when the Redis asks for none
 */
public record RedisTarget(String url, String password) {

  /** No Redis: the bridges keep their local tiers only. */
  public static final RedisTarget OFF = new RedisTarget(null, null);

  public RedisTarget {
    if (url == null && password != null) {
      throw new IllegalArgumentException("a password without a Redis URL");
    }
  }

  public boolean on() {
    return url != null;
  }

  /** Shows whether there is a password, never the password. */
  @Override
  public String toString() {
    return on() ? "RedisTarget[" + url + (password == null ? ", no password]" : ", password set]") : "RedisTarget[off]";
  }
}
