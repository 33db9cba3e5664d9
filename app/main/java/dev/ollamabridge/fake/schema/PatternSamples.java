package dev.ollamabridge.fake.schema;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Strings for the simple regular expressions that tool schemas use as a string's {@code pattern}
 * ({@code ^[A-Z]{2}-\d{3,}$}, {@code ^(red|green)$}): literals, classes, escapes, groups with
 * alternatives and quantifiers. Lookarounds and back-references are not simple: they get no
 * sample. Matching is bounded too, so a pattern that backtracks forever costs a bounded time.
 */
final class PatternSamples {

  /** Patterns longer than this are not read. */
  static final int MAX_PATTERN = 1_000;
  /** Characters a match may read before it is given up as too costly. */
  private static final int MAX_READS = 200_000;
  /** Characters tried, in order, for a class or an escape like {@code \p{Lu}}. */
  private static final String PREFERRED = "aA0_ -x";

  private final String pattern;
  private final int extra;
  private final int maxLength;
  private int at;

  private PatternSamples(String pattern, int extra, int maxLength) {
    this.pattern = pattern;
    this.extra = extra;
    this.maxLength = maxLength;
  }

  /**
   * Samples of {@code pattern}, shortest first: each quantifier repeated its least number of
   * times, then 1, 2, 4, … more (up to its most), none longer than {@code maxLength}; empty if the
   * pattern is not simple.
   */
  static List<String> samples(String pattern, int maxLength) {
    Set<String> samples = new LinkedHashSet<>();
    if (pattern.length() > MAX_PATTERN) {
      return List.of();
    }
    for (int extra = 0; extra <= maxLength; extra = extra == 0 ? 1 : extra * 2) {
      PatternSamples parser = new PatternSamples(pattern, extra, maxLength);
      try {
        String sample = parser.alternatives();
        if (parser.at < pattern.length()) {
          return List.copyOf(samples); // an unmatched ')': not a pattern to guess at
        }
        samples.add(sample);
      } catch (NotSimple e) {
        break;
      }
    }
    return List.copyOf(samples);
  }

  /**
   * Whether {@code pattern} matches somewhere in {@code text}, as JSON Schema's {@code pattern}
   * does (not anchored). A pattern Java cannot read, or that is too long, holds no one back; a
   * match that takes too long counts as none.
   */
  static boolean finds(String pattern, String text) {
    if (pattern.length() > MAX_PATTERN) {
      return true;
    }
    Pattern compiled;
    try {
      compiled = Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      return true;
    }
    try {
      return compiled.matcher(new BoundedText(text, new int[] {0}, 0, text.length())).find();
    } catch (TooCostly e) {
      return false;
    }
  }

  private String alternatives() {
    String first = sequence();
    while (peek('|')) {
      at++;
      sequence();
    }
    return first;
  }

  private String sequence() {
    StringBuilder sample = new StringBuilder();
    while (at < pattern.length() && !peek('|') && !peek(')')) {
      String atom = atom();
      int[] times = quantifier();
      int repeats = (int) Math.min((long) times[0] + extra, times[1]);
      if ((long) sample.length() + (long) atom.length() * repeats > maxLength) {
        throw new NotSimple();
      }
      sample.append(atom.repeat(repeats));
    }
    return sample.toString();
  }

  private String atom() {
    char c = pattern.charAt(at++);
    return switch (c) {
      case '^', '$' -> "";
      case '.' -> "a";
      case '(' -> group();
      case '[' -> characterClass();
      case '\\' -> escape();
      case '*', '+', '?', ')', '|' -> throw new NotSimple();
      default -> String.valueOf(c);
    };
  }

  private String group() {
    if (peek('?')) {
      at++;
      if (peek(':')) {
        at++;
      } else if (peek('<') && at + 1 < pattern.length() && Character.isLetter(pattern.charAt(at + 1))) {
        int close = pattern.indexOf('>', at);
        if (close < 0) {
          throw new NotSimple();
        }
        at = close + 1;
      } else {
        throw new NotSimple(); // a lookaround or a flag: not simple
      }
    }
    String inside = alternatives();
    if (!peek(')')) {
      throw new NotSimple();
    }
    at++;
    return inside;
  }

  /** The first preferred character, then the first printable ASCII one, that the class allows. */
  private String characterClass() {
    int start = at - 1;
    if (peek('^')) {
      at++;
    }
    if (peek(']')) {
      at++;
    }
    while (at < pattern.length() && pattern.charAt(at) != ']') {
      if (pattern.charAt(at) == '\\') {
        at++;
      } else if (pattern.charAt(at) == '[') {
        throw new NotSimple(); // Java's nested classes and ECMA's literal '[' differ
      }
      at++;
    }
    if (at >= pattern.length()) {
      throw new NotSimple();
    }
    at++;
    return firstAllowed(pattern.substring(start, at));
  }

  private String escape() {
    if (at >= pattern.length()) {
      throw new NotSimple();
    }
    char c = pattern.charAt(at++);
    return switch (c) {
      case 'd' -> "0";
      case 'D', 'w', 'S' -> "a";
      case 'W' -> "-";
      case 's' -> " ";
      case 'b', 'B' -> "";
      case 'n' -> "\n";
      case 't' -> "\t";
      case 'r' -> "\r";
      case 'p', 'P' -> {
        int open = at;
        int close = pattern.indexOf('}', at);
        if (!peek('{') || close < 0) {
          throw new NotSimple();
        }
        at = close + 1;
        yield firstAllowed("\\" + c + pattern.substring(open, close + 1));
      }
      case 'u' -> code(4);
      case 'x' -> code(2);
      default -> {
        if (Character.isDigit(c) || Character.isLetter(c)) {
          throw new NotSimple(); // a back-reference, or an escape this reader does not know
        }
        yield String.valueOf(c);
      }
    };
  }

  private String code(int digits) {
    if (at + digits > pattern.length()) {
      throw new NotSimple();
    }
    try {
      String code = String.valueOf((char) Integer.parseInt(pattern.substring(at, at + digits), 16));
      at += digits;
      return code;
    } catch (NumberFormatException e) {
      throw new NotSimple();
    }
  }

  /** How often the atom before may repeat: {least, most}; once when no quantifier follows. */
  private int[] quantifier() {
    int[] times;
    if (peek('*')) {
      times = new int[] {0, Integer.MAX_VALUE};
      at++;
    } else if (peek('+')) {
      times = new int[] {1, Integer.MAX_VALUE};
      at++;
    } else if (peek('?')) {
      times = new int[] {0, 1};
      at++;
    } else if (peek('{') && pattern.indexOf('}', at) > 0
        && pattern.substring(at + 1, pattern.indexOf('}', at)).matches("\\d{1,6}(,\\d{0,6})?")) {
      String[] bounds = pattern.substring(at + 1, pattern.indexOf('}', at)).split(",", -1);
      int least = Integer.parseInt(bounds[0]);
      int most = bounds.length == 1 ? least : bounds[1].isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(bounds[1]);
      times = new int[] {least, Math.max(least, most)};
      at = pattern.indexOf('}', at) + 1;
    } else {
      return new int[] {1, 1};
    }
    if (peek('?') || peek('+')) {
      at++; // lazy or possessive: the same strings match
    }
    return times;
  }

  private static String firstAllowed(String characterClass) {
    Pattern allowed;
    try {
      allowed = Pattern.compile(characterClass);
    } catch (PatternSyntaxException e) {
      throw new NotSimple();
    }
    StringBuilder tries = new StringBuilder(PREFERRED);
    for (char c = '!'; c <= '~'; c++) {
      tries.append(c);
    }
    for (int i = 0; i < tries.length(); i++) {
      String candidate = String.valueOf(tries.charAt(i));
      if (allowed.matcher(candidate).matches()) {
        return candidate;
      }
    }
    throw new NotSimple();
  }

  private boolean peek(char c) {
    return at < pattern.length() && pattern.charAt(at) == c;
  }

  /** Thrown while reading a pattern this class does not sample. */
  private static final class NotSimple extends RuntimeException {
    NotSimple() {
      super(null, null, false, false);
    }
  }

  /** Thrown when a match has read {@link #MAX_READS} characters. */
  private static final class TooCostly extends RuntimeException {
    TooCostly() {
      super(null, null, false, false);
    }
  }

  /** Text that counts the characters a matcher reads, shared with the pieces cut from it. */
  private record BoundedText(String text, int[] reads, int from, int to) implements CharSequence {

    @Override
    public char charAt(int index) {
      if (++reads[0] > MAX_READS) {
        throw new TooCostly();
      }
      return text.charAt(from + index);
    }

    @Override
    public int length() {
      return to - from;
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new BoundedText(text, reads, from + start, from + end);
    }

    @Override
    public String toString() {
      return text.substring(from, to);
    }
  }
}
