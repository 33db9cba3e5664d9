package dev.ollamabridge.console.alerts;

import java.util.Arrays;
import java.util.Optional;

/**
 * What an alert is about: one rule per kind, each firing once for a subject (an instance, a host, a
 * key, nginx) until it is resolved. A kind with a threshold says its unit and its bounds; a kind
 * with minutes fires only once its condition held that long.
 */
public enum AlertKind {
  INSTANCE_DOWN("instance_down", "Instance down", "an instance's health checks fail (resolved: it passes them again)",
      null, null, 0, 0, false),
  HOST_NOT_READY("host_not_ready", "Host NotReady", "a host's agent stops reporting (resolved: it reports again)",
      null, null, 0, 0, false),
  NGINX_REFUSED("nginx_refused", "nginx apply refused",
      "the console's nginx or an edge's refuses or fails a new config (resolved: a later one applies)",
      null, null, 0, 0, false),
  ERROR_RATIO("error_ratio", "Error ratio", "a bridge's share of 5xx answers stays over the threshold",
      "%", 5.0, 0.01, 100, true),
  LATENCY_P95("latency_p95", "p95 latency", "a bridge's 95th percentile latency stays over the threshold",
      "ms", 10_000.0, 1, 3_600_000, true),
  KEY_BUDGET("key_budget", "Key budget", "a client key has used this share of its daily token budget",
      "%", 80.0, 1, 100, false);

  /** The longest a condition may have to hold before its alert fires: a day. */
  public static final int MAX_MINUTES = 1440;
  static final int DEFAULT_MINUTES = 5;

  private final String word;
  private final String title;
  private final String description;
  private final String unit;
  private final Double defaultThreshold;
  private final double min;
  private final double max;
  private final boolean takesMinutes;

  AlertKind(String word, String title, String description, String unit, Double defaultThreshold, double min,
      double max, boolean takesMinutes) {
    this.word = word;
    this.title = title;
    this.description = description;
    this.unit = unit;
    this.defaultThreshold = defaultThreshold;
    this.min = min;
    this.max = max;
    this.takesMinutes = takesMinutes;
  }

  /** The kind as the API, the payloads and the database name it, e.g. {@code instance_down}. */
  public String word() {
    return word;
  }

  public String title() {
    return title;
  }

  public String description() {
    return description;
  }

  /** The threshold's unit ({@code %} or {@code ms}); null for a kind without a threshold. */
  public String unit() {
    return unit;
  }

  public boolean takesThreshold() {
    return defaultThreshold != null;
  }

  public boolean takesMinutes() {
    return takesMinutes;
  }

  /** The rule as a fresh console has it: on, with the default threshold and minutes. */
  public Rule defaults() {
    return new Rule(this, true, defaultThreshold, takesMinutes ? DEFAULT_MINUTES : null);
  }

  /** What the threshold must be, for a refusal to say. */
  public String thresholdRule() {
    return "a number from " + format(min) + " to " + format(max) + " (" + unit + ")";
  }

  boolean allows(double threshold) {
    return threshold >= min && threshold <= max;
  }

  public static Optional<AlertKind> of(String word) {
    return Arrays.stream(values()).filter(kind -> kind.word.equals(word)).findFirst();
  }

  /** A threshold as people write it: 80, not 80.0. */
  public String format(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
