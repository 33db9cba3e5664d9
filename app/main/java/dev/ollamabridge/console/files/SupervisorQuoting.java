package dev.ollamabridge.console.files;

import java.util.regex.Pattern;

/**
 * supervisord reads {@code command=} with shell-like word splitting and expands {@code %(x)s}
 * everywhere: a word that is not plainly safe is double-quoted, with {@code \}, {@code "} escaped
 * and {@code %} doubled.
 */
final class SupervisorQuoting {

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@,+-]+");

  private SupervisorQuoting() {}

  static String argument(String word) {
    return PLAIN.matcher(word).matches() ? word : value(word);
  }

  static String value(String text) {
    return "\"" + plain(text).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** A value supervisord takes as it stands (a path): only {@code %} needs escaping. */
  static String plain(String text) {
    if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new RenderException(null, "a value for supervisor.conf holds a control character");
    }
    return text.replace("%", "%%");
  }
}
