package dev.ollamabridge.console.cache;

import java.time.Instant;

/**
 * What the console last learnt of the shared Redis: the word the pages and the API show, and why.
 *
 * @param state {@code off} (no Redis set), {@code connected}, {@code unreachable} (no connection, or no
 *     usable answer) or {@code refused} (it answered, but refused the password)
 * @param url the Redis asked, or null when off
 * @param error why it is not connected, one line of at most a few hundred characters; null when it is
 * @param at when it was asked; null when off
 */
public record RedisState(String state, String url, String error, Instant at) {

  public static RedisState off() {
    return new RedisState("off", null, null, null);
  }

  static RedisState connected(String url, Instant at) {
    return new RedisState("connected", url, null, at);
  }

  static RedisState unreachable(String url, String error, Instant at) {
    return new RedisState("unreachable", url, error, at);
  }

  static RedisState refused(String url, String error, Instant at) {
    return new RedisState("refused", url, error, at);
  }

  /** A CSS class for the state: good, bad or idle. */
  public String tone() {
    return switch (state) {
      case "connected" -> "good";
      case "off" -> "idle";
      default -> "bad";
    };
  }
}
