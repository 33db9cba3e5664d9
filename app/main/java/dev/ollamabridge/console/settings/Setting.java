package dev.ollamabridge.console.settings;

import dev.ollamabridge.bridge.BridgeConfig;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The console's settings: each with its key, default and rule. A value is checked by its rule
 * before it is stored; the rule's message says what is allowed.
 */
public enum Setting {
  DEFAULT_UPSTREAM("default_upstream", "http://127.0.0.1:11434", Setting::upstreamUrl),
  FIRST_PORT("first_port", "3000", value -> integer(value, 1024, 65000)),
  HEALTH_INTERVAL_MS("health.interval_ms", "3000", value -> integer(value, 200, 600_000)),
  HEALTH_TIMEOUT_MS("health.timeout_ms", "1000", value -> integer(value, 100, 60_000)),
  HEALTH_RISE("health.rise", "2", value -> integer(value, 1, 100)),
  HEALTH_FALL("health.fall", "5", value -> integer(value, 1, 100));

  private final String key;
  private final String defaultValue;
  private final UnaryOperator<String> rule;

  Setting(String key, String defaultValue, UnaryOperator<String> rule) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.rule = rule;
  }

  public String key() {
    return key;
  }

  public String defaultValue() {
    return defaultValue;
  }

  /** The value in its stored form, or an {@link IllegalArgumentException} that states the rule. */
  public String check(String value) {
    return rule.apply(value);
  }

  public static Optional<Setting> byKey(String key) {
    for (Setting setting : values()) {
      if (setting.key.equals(key)) {
        return Optional.of(setting);
      }
    }
    return Optional.empty();
  }

  private static String integer(String value, int min, int max) {
    try {
      int number = Integer.parseInt(value.strip());
      if (number >= min && number <= max) {
        return Integer.toString(number);
      }
    } catch (NumberFormatException ignored) {
      // falls through to the message
    }
    throw new IllegalArgumentException("must be an integer from " + min + " to " + max);
  }

  private static String upstreamUrl(String value) {
    try {
      return BridgeConfig.checkUpstream(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("must be an http:// or https:// base URL with a host");
    }
  }
}
