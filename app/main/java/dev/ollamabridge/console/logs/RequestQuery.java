package dev.ollamabridge.console.logs;

import dev.ollamabridge.console.instances.InvalidInput;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Which logged requests to show, each filter optional (null). The Logs page and the API read it from
 * the same query parameters, with the same rules.
 *
 * @param status a status class: {@code 2xx}, {@code 3xx}, {@code 4xx} or {@code 5xx}
 * @param key the key's name, exactly
 * @param model the client's model, exactly
 * @param instance the bridge's instance (nginx lines have none)
 * @param host the host whose bridge or nginx wrote the line
 * @param text a part of the error, any case
 * @param after follow mode: only lines newer than this place, and those of the {@link #GRACE_MS} before it, which
 *     may have been written since (nginx stamps its lines to the second, and each log is written a little after its
 *     request ends): a follower drops those it has, by source, host, instance, id and time
 * @param limit at most this many, the newest
 */
public record RequestQuery(String status, String key, String model, String instance, String host, String text,
    RequestCursor after, int limit) {

  public static final int DEFAULT_LIMIT = 200;
  /** How far before its cursor a follower is sent lines again. */
  public static final long GRACE_MS = 2000;
  public static final int MAX_LIMIT = 1000;
  public static final List<String> STATUS_CLASSES = List.of("2xx", "3xx", "4xx", "5xx");
  private static final int MAX_TEXT = 200;
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern PRINTABLE = Pattern.compile("[^\\p{Cntrl}]{1," + MAX_TEXT + "}");

  /** Every line, the newest {@link #DEFAULT_LIMIT}. */
  public static RequestQuery all() {
    return new RequestQuery(null, null, null, null, null, null, null, DEFAULT_LIMIT);
  }

  /**
   * The query of these parameters ({@code param} answers one by name, null when absent): {@code status},
   * {@code key}, {@code model}, {@code instance}, {@code host}, {@code q}, {@code after} ({@code MILLIS~ID},
   * a cursor an earlier answer gave) and {@code limit}.
   *
   * @throws InvalidInput naming the first parameter that breaks its rule
   */
  public static RequestQuery parse(UnaryOperator<String> param) {
    String status = blankToNull(param.apply("status"));
    if (status != null && !STATUS_CLASSES.contains(status)) {
      throw new InvalidInput("status", "status must be one of " + String.join(", ", STATUS_CLASSES));
    }
    String after = blankToNull(param.apply("after"));
    RequestCursor cursor = after == null ? null : RequestCursor.parse(after);
    if (after != null && cursor == null) {
      throw new InvalidInput("after", "after must be a cursor MILLIS~ID as an earlier answer gave it");
    }
    return new RequestQuery(status, text(param, "key"), text(param, "model"), name(param, "instance"),
        name(param, "host"), text(param, "q"), cursor, limit(param));
  }

  /** Whether any filter is set (follow mode aside). */
  public boolean filtered() {
    return status != null || key != null || model != null || instance != null || host != null || text != null;
  }

  /** The same filters, and only the lines after {@code cursor}. */
  public RequestQuery after(RequestCursor cursor) {
    return new RequestQuery(status, key, model, instance, host, text, cursor, limit);
  }

  boolean matches(LoggedRequest request) {
    return (status == null || status.equals(request.statusClass()))
        && (key == null || key.equals(request.key()))
        && (model == null || model.equals(request.model()))
        && (instance == null || instance.equals(request.instance()))
        && (host == null || host.equals(request.host()))
        && (text == null || request.error() != null
            && request.error().toLowerCase(Locale.ROOT).contains(text.toLowerCase(Locale.ROOT)))
        && (after == null || request.cursor().epochMs() > after.epochMs() - GRACE_MS);
  }

  private static String text(UnaryOperator<String> param, String name) {
    String value = blankToNull(param.apply(name));
    if (value != null && !PRINTABLE.matcher(value).matches()) {
      throw new InvalidInput(name, name + " must be at most " + MAX_TEXT + " characters, none a control character");
    }
    return value;
  }

  private static String name(UnaryOperator<String> param, String name) {
    String value = blankToNull(param.apply(name));
    if (value != null && !NAME.matcher(value).matches()) {
      throw new InvalidInput(name, name + " must be a name of lower-case letters, digits and '-' (at most 63)");
    }
    return value;
  }

  private static int limit(UnaryOperator<String> param) {
    String value = blankToNull(param.apply("limit"));
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    if (!value.matches("\\d{1,4}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > MAX_LIMIT) {
      throw new InvalidInput("limit", "limit must be an integer from 1 to " + MAX_LIMIT);
    }
    return Integer.parseInt(value);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
