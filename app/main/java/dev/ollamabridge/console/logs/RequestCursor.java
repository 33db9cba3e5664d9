package dev.ollamabridge.console.logs;

import java.util.regex.Pattern;

/**
 * A place in the merged log, the time (epoch milliseconds) and id of the newest line a reader has:
 * follow mode asks for the lines after it. Written {@code MILLIS~ID}.
 */
public record RequestCursor(long epochMs, String id) implements Comparable<RequestCursor> {

  /** A request id as the bridges and nginx take it from a client. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Pattern WRITTEN = Pattern.compile("(\\d{1,15})~([A-Za-z0-9._:-]{0,128})");

  /** The cursor written as {@link #toString()} gives it, or null when {@code text} is not one. */
  static RequestCursor parse(String text) {
    var match = WRITTEN.matcher(text);
    return match.matches() ? new RequestCursor(Long.parseLong(match.group(1)), match.group(2)) : null;
  }

  @Override
  public int compareTo(RequestCursor other) {
    int byTime = Long.compare(epochMs, other.epochMs);
    return byTime != 0 ? byTime : id.compareTo(other.id);
  }

  @Override
  public String toString() {
    return epochMs + "~" + id;
  }
}
