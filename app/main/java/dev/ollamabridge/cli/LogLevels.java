package dev.ollamabridge.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the log level from {@code --debug} or, like the Rust bridge, from a {@code RUST_LOG}-style
 * word in the environment ({@code error}, {@code warn}, {@code info}, {@code debug}, {@code trace}).
 */
public final class LogLevels {

  private LogLevels() {}

  public static void apply(boolean debug) {
    Level level = debug ? Level.DEBUG : fromEnvironment(System.getenv("RUST_LOG"));
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(level);
  }

  static Level fromEnvironment(String value) {
    if (value == null || value.isBlank()) {
      return Level.INFO;
    }
    // RUST_LOG may name modules ("bridge=debug,info"); the last bare level word wins.
    Level level = Level.INFO;
    for (String part : value.split(",")) {
      String word = part.contains("=") ? part.substring(part.indexOf('=') + 1) : part;
      Level parsed = Level.toLevel(word.trim(), null);
      if (parsed != null) {
        level = parsed;
      }
    }
    return level;
  }
}
