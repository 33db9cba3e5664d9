package dev.ollamabridge.console.events;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.UnaryOperator;

/**
 * Which events to show, a page at a time: each filter optional (null). The web page and the API
 * read it from the same query parameters, with the same bounds.
 *
 * @param target the target, exactly
 * @param targetContains a part of the target, any case
 * @param action the action, exactly
 * @param text a part of the action or the detail, any case
 * @param from only events at or after this instant
 * @param to only events before this instant
 * @param before only events older than this id: the next page after one that ended with it
 * @param after only events newer than this id: the page before one that began with it
 * @param limit at most this many
 */
public record EventQuery(String target, String targetContains, String action, String text, Instant from, Instant to, Long before, Long after,
    int limit) {

  static final int MAX_TEXT = 200;
  public static final int MAX_LIMIT = 1000;
  /** The widest offset a time zone has, in minutes: 14 hours. */
  private static final int MAX_OFFSET_MINUTES = 14 * 60;

  /** A query parameter that breaks its rule: 400, naming it. */
  public static final class Refused extends RuntimeException {

    private final String parameter;

    Refused(String parameter, String message) {
      super(message, null, false, false);
      this.parameter = parameter;
    }

    public String parameter() {
      return parameter;
    }
  }

  /**
   * The query of these parameters ({@code param} answers one by name, null when absent): {@code target},
   * {@code target_contains}, {@code action}, {@code q}, {@code from}, {@code to} (ISO-8601 instants such as
   * {@code 2026-12-07T07:00:00Z}, or a date and time without an offset, read at the offset {@code tz}
   * gives in minutes east of UTC, UTC when absent), {@code before}, {@code after}, {@code limit}.
   *
   * @throws Refused naming the first parameter that breaks its rule
   */
  public static EventQuery parse(UnaryOperator<String> param, int defaultLimit) {
    int tz = (int) number(param, "tz", -MAX_OFFSET_MINUTES, MAX_OFFSET_MINUTES, 0);
    Long before = optionalNumber(param, "before");
    Long after = optionalNumber(param, "after");
    if (before != null && after != null) {
      throw new Refused("after", "before and after page in opposite directions: send one of them");
    }
    Instant from = time(param, "from", tz);
    Instant to = time(param, "to", tz);
    if (from != null && to != null && !from.isBefore(to)) {
      throw new Refused("to", "to must be later than from");
    }
    return new EventQuery(text(param, "target", EventLog.MAX_TARGET), text(param, "target_contains", MAX_TEXT),
        text(param, "action", EventLog.MAX_NAME),
        text(param, "q", MAX_TEXT), from, to, before, after, (int) number(param, "limit", 1, MAX_LIMIT, defaultLimit));
  }

  /** Whether any filter is set (paging aside). */
  public boolean filtered() {
    return target != null || targetContains != null || action != null || text != null || from != null || to != null;
  }

  private static String text(UnaryOperator<String> param, String name, int max) {
    String value = param.apply(name);
    if (value == null || value.isBlank()) {
      return null;
    }
    value = value.strip();
    if (value.length() > max) {
      throw new Refused(name, name + " must be at most " + max + " characters");
    }
    return value;
  }

  private static Long optionalNumber(UnaryOperator<String> param, String name) {
    String value = param.apply(name);
    if (value == null || value.isEmpty()) {
      return null;
    }
    return number(param, name, 1, Long.MAX_VALUE, 0);
  }

  /** A whole number in range; absent or empty (a form's blank field) is the fallback, anything else must be one. */
  private static long number(UnaryOperator<String> param, String name, long min, long max, long fallback) {
    String value = param.apply(name);
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      long number = Long.parseLong(value);
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // the message follows
    }
    throw new Refused(name, name + " must be an integer from " + min + " to " + max);
  }

  private static Instant time(UnaryOperator<String> param, String name, int tzMinutes) {
    String value = param.apply(name);
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() <= 40) {
      try {
        return OffsetDateTime.parse(value).toInstant();
      } catch (DateTimeException withoutOffset) {
        try {
          return LocalDateTime.parse(value).toInstant(ZoneOffset.ofTotalSeconds(tzMinutes * 60));
        } catch (DateTimeException e) {
          // the message follows
        }
      }
    }
    throw new Refused(name, name + " must be a date and time such as 2026-12-07T07:00:00Z (without an offset: UTC)");
  }
}
