package dev.ollamabridge.console.usage;

import dev.ollamabridge.console.metrics.Sample;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The usage counters of one scrape of a bridge, by key and model, and when its process started.
 * A bridge's text is hostile input: a label that is too long or holds a control character, and
 * every series past {@link #MAX_SERIES}, are counted under {@link #OTHER}; a value that is not a
 * finite non-negative number counts as 0.
 *
 * @param startedMs {@code bridge_start_time_seconds} in ms, 0 when the bridge gave none
 */
public record BridgeUsage(long startedMs, Map<Series, UsageCounters> series) {

  /** One series: a key id ({@code none} for requests without one) and the client's model name. */
  public record Series(String keyId, String model) {}

  public static final String OTHER = "(other)";
  /** A bridge keeps at most 500 pairs (and then {@code (other)}); this leaves room without trusting it. */
  static final int MAX_SERIES = 2000;
  static final int MAX_KEY_ID = 128;
  static final int MAX_MODEL = 256;

  private static final List<String> NAMES = List.of("bridge_usage_requests_total", "bridge_usage_errors_total",
      "bridge_usage_prompt_tokens_total", "bridge_usage_completion_tokens_total", "bridge_usage_cache_hits_total");

  public BridgeUsage {
    series = Map.copyOf(series);
  }

  public static BridgeUsage of(List<Sample> samples) {
    long startedMs = 0;
    Map<Series, long[]> counts = new HashMap<>();
    for (Sample sample : samples) {
      if (sample.name().equals("bridge_start_time_seconds")) {
        startedMs = count(sample.value() * 1000);
        continue;
      }
      int at = NAMES.indexOf(sample.name());
      if (at < 0) {
        continue;
      }
      Series series = new Series(label(sample.label("key"), MAX_KEY_ID), label(sample.label("model"), MAX_MODEL));
      if (!counts.containsKey(series) && counts.size() >= MAX_SERIES) {
        series = new Series(OTHER, OTHER);
      }
      counts.computeIfAbsent(series, s -> new long[NAMES.size()])[at] += count(sample.value());
    }
    Map<Series, UsageCounters> series = new HashMap<>();
    counts.forEach((s, c) -> series.put(s, new UsageCounters(c[0], c[1], c[2], c[3], c[4])));
    return new BridgeUsage(startedMs, series);
  }

  private static String label(String value, int max) {
    if (value == null || value.isEmpty()) {
      return "none";
    }
    if (value.length() > max || value.chars().anyMatch(Character::isISOControl)) {
      return OTHER;
    }
    return value;
  }

  /** Counts past 2^53 are no longer exact as doubles; the cap also keeps sums far from overflowing. */
  private static long count(double value) {
    return Double.isFinite(value) && value > 0 ? Math.min(Math.round(value), 1L << 53) : 0;
  }
}
