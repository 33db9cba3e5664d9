package dev.ollamabridge.logs;

/**
 * Text from outside (a backend's status line, a model name, a user field) made fit for one log
 * line: control characters, line and paragraph separators, invisible format characters (bidi
 * overrides among them) and lone surrogates are written as escapes, so no text can end a line,
 * forge the next one or reorder what a reader sees; {@code <}, {@code >} and {@code &} are escaped
 * too (as Go's JSON encoder does for HTML), so no log viewer can take the text for markup; and the
 * result is capped at {@value #MAX_CHARS} characters, with a note of how many were left off.
 *
 * <p>Logback applies it to every message and every exception message (see logback.xml), whatever
 * code logged them; call it directly only where outside text goes somewhere other than the log
 * (the events table keeps its texts so, markup aside).
 */
public final class LogText {

  public static final int MAX_CHARS = 2000;

  private LogText() {}

  /** The text as one line of at most {@value #MAX_CHARS} characters, plus the note of what was left off. */
  public static String oneLine(String text) {
    return line(text, MAX_CHARS, true);
  }

  /**
   * The text as one line of at most {@code limit} characters, plus the note of what was left off,
   * with {@code <}, {@code >} and {@code &} kept: for text stored to be shown later through
   * templates that escape it (the events table), where the log's markup escapes would only show.
   */
  public static String oneLine(String text, int limit) {
    return line(text, limit, false);
  }

  private static String line(String text, int limit, boolean markup) {
    if (text == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), limit) + 16);
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      String piece = mustEscape(codePoint, markup) ? escaped(codePoint) : Character.toString(codePoint);
      if (out.length() + piece.length() > limit) {
        return out.append("…(").append(text.length() - i).append(" more)").toString();
      }
      out.append(piece);
      i += Character.charCount(codePoint);
    }
    return out.toString();
  }

  private static boolean mustEscape(int codePoint, boolean markup) {
    if (markup && (codePoint == '<' || codePoint == '>' || codePoint == '&')) {
      return true;
    }
    return switch (Character.getType(codePoint)) {
      case Character.CONTROL, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.FORMAT,
           Character.SURROGATE -> true;
      default -> false;
    };
  }

  private static String escaped(int codePoint) {
    return switch (codePoint) {
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      default -> {
        StringBuilder units = new StringBuilder();
        for (char unit : Character.toChars(codePoint)) {
          units.append(String.format("\\u%04x", (int) unit));
        }
        yield units.toString();
      }
    };
  }
}
