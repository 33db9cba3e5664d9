package dev.ollamabridge.console.metrics;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What one read of a bridge's {@code /metrics} gave, and when. */
record Scrape(Instant at, List<Sample> samples) {

  Scrape {
    samples = List.copyOf(samples);
  }

  static Scrape of(Instant at, String text) {
    return new Scrape(at, PrometheusText.parse(text));
  }

  /**
   * How much each series of a counter grew since an earlier scrape, by its labels. As in
   * Prometheus, a value lower than before is a reset (the bridge restarted), so the whole new value
   * is the increase; a series the earlier scrape lacked grew from zero.
   */
  Map<Map<String, String>, Double> increases(Scrape earlier, String name) {
    Map<Map<String, String>, Double> before = earlier.series(name);
    Map<Map<String, String>, Double> increases = new HashMap<>();
    series(name).forEach((labels, now) -> {
      double then = before.getOrDefault(labels, 0.0);
      increases.put(labels, now >= then ? now - then : now);
    });
    return increases;
  }

  /** The sum of a metric's series; 0 when it has none. */
  double sum(String name) {
    return series(name).values().stream().mapToDouble(Double::doubleValue).sum();
  }

  private Map<Map<String, String>, Double> series(String name) {
    Map<Map<String, String>, Double> series = new HashMap<>();
    for (Sample sample : samples) {
      if (sample.name().equals(name) && !Double.isNaN(sample.value())) {
        series.put(sample.labels(), sample.value());
      }
    }
    return series;
  }
}
