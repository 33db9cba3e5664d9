package dev.ollamabridge.console.files;

import dev.ollamabridge.console.instances.BridgeSecrets;
import java.util.regex.Pattern;

/**
 * supervisord reads {@code command=} with POSIX shell-like word splitting and expands {@code %(x)s}
 * everywhere: a word that is not plainly safe is double-quoted, with {@code \}, {@code "} escaped
 * and {@code %} doubled. {@code environment=} is split without escapes: see {@link #environmentValue}.
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

  /**
   * A value of {@code environment=}: double-quoted, {@code %} doubled. supervisord honours no escape
   * there, strips quotes at both ends and rewrites {@code %(here)s}, so some values cannot be written
   * (the console refuses such keys before it stores them).
   */
  static String environmentValue(String text) {
    if (!BridgeSecrets.supervisordCarries(text)) {
      throw new RenderException(null, "a value for supervisor.conf's environment= holds a quote or '%(' supervisord would change");
    }
    return "\"" + plain(text) + "\"";
  }

  /** A value supervisord takes from its own environment when it reads the file. */
  static String environmentReference(String variable) {
    return "\"%(ENV_" + variable + ")s\"";
  }

  /** A value supervisord takes as it stands (a path): only {@code %} needs escaping. */
  static String plain(String text) {
    if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new RenderException(null, "a value for supervisor.conf holds a control character");
    }
    return text.replace("%", "%%");
  }
}
