package dev.ollamabridge.console.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Prometheus text exposition format (version 0.0.4), as a bridge writes it. The
 * Prometheus Java client only writes this format, it has no reader. {@code # HELP} and
 * {@code # TYPE} lines are skipped, as are timestamps; label values are unescaped
 * ({@code \\}, {@code \"}, {@code \n}); values may be {@code +Inf}, {@code -Inf} or {@code NaN}.
 */
public final class PrometheusText {

  private PrometheusText() {}

  /** The samples of a whole exposition, in order; {@link IllegalArgumentException} naming the line when one is malformed. */
  public static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        samples.add(new Line(line).sample());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + (i + 1) + " is not a Prometheus sample (" + e.getMessage() + "): " + line, e);
      }
    }
    return samples;
  }

  /** The value of a sample or a {@code le} bound, with Prometheus's spellings of the infinities. */
  static double number(String text) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + text + "' is not a number");
        }
      }
    };
  }

  /** A cursor over one sample line. */
  private static final class Line {

    private final String text;
    private int at;

    Line(String text) {
      this.text = text;
    }

    Sample sample() {
      String name = name();
      Map<String, String> labels = new HashMap<>();
      if (peek() == '{') {
        at++;
        labels(labels);
      }
      skipSpaces();
      int start = at;
      while (at < text.length() && !Character.isWhitespace(text.charAt(at))) {
        at++;
      }
      if (start == at) {
        throw new IllegalArgumentException("no value");
      }
      double value = number(text.substring(start, at));
      // what may follow is a timestamp in milliseconds, which the scraper's own clock replaces
      return new Sample(name, labels, value);
    }

    private void labels(Map<String, String> labels) {
      while (true) {
        skipSpaces();
        if (peek() == '}') {
          at++;
          return;
        }
        String label = name();
        skipSpaces();
        expect('=');
        skipSpaces();
        labels.put(label, quoted());
        skipSpaces();
        if (peek() == ',') {
          at++;
        } else if (peek() != '}') {
          throw new IllegalArgumentException("expected ',' or '}' at column " + (at + 1));
        }
      }
    }

    private String name() {
      int start = at;
      while (at < text.length() && isNameChar(text.charAt(at), at == start)) {
        at++;
      }
      if (start == at) {
        throw new IllegalArgumentException("expected a name at column " + (at + 1));
      }
      return text.substring(start, at);
    }

    private String quoted() {
      expect('"');
      StringBuilder value = new StringBuilder();
      while (at < text.length()) {
        char c = text.charAt(at++);
        if (c == '"') {
          return value.toString();
        }
        if (c == '\\' && at < text.length()) {
          char escaped = text.charAt(at++);
          value.append(escaped == 'n' ? '\n' : escaped);
        } else {
          value.append(c);
        }
      }
      throw new IllegalArgumentException("a label value is not closed");
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at column " + (at + 1));
      }
      at++;
    }

    private char peek() {
      return at < text.length() ? text.charAt(at) : '\0';
    }

    private void skipSpaces() {
      while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
        at++;
      }
    }

    private static boolean isNameChar(char c, boolean first) {
      return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
    }
  }
}
