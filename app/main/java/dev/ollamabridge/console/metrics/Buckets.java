package dev.ollamabridge.console.metrics;

import java.util.Map;
import java.util.TreeMap;

/**
 * A classic histogram's cumulative bucket counts over an interval, summed over its series, with
 * Prometheus's {@code histogram_quantile}.
 *
 * @param bounds the upper bounds ({@code le}), ascending, the last one {@code +Inf}
 * @param counts the observations at or below each bound
 */
record Buckets(double[] bounds, double[] counts) {

  /** From the increases of {@code …_bucket} series: summed by {@code le}, then made cumulative-monotonic again. */
  static Buckets of(Map<Map<String, String>, Double> bucketIncreases) {
    TreeMap<Double, Double> byBound = new TreeMap<>();
    bucketIncreases.forEach((labels, increase) -> {
      String le = labels.get("le");
      if (le != null) {
        byBound.merge(PrometheusText.number(le), increase, Double::sum);
      }
    });
    double[] bounds = new double[byBound.size()];
    double[] counts = new double[byBound.size()];
    int i = 0;
    double highest = 0;
    for (Map.Entry<Double, Double> bucket : byBound.entrySet()) {
      // a reset seen by one bucket and not the next can break monotonicity; Prometheus mends it the same way
      highest = Math.max(highest, bucket.getValue());
      bounds[i] = bucket.getKey();
      counts[i] = highest;
      i++;
    }
    return new Buckets(bounds, counts);
  }

  /**
   * The value below which a fraction {@code q} of the observations fall, interpolated linearly
   * inside its bucket as {@code histogram_quantile} does; null when there were no observations.
   * Beyond the highest finite bound the answer is that bound.
   */
  Double quantile(double q) {
    int n = bounds.length;
    if (n < 2 || bounds[n - 1] != Double.POSITIVE_INFINITY || counts[n - 1] <= 0) {
      return null;
    }
    double rank = q * counts[n - 1];
    int b = 0;
    while (b < n - 1 && counts[b] < rank) {
      b++;
    }
    if (b == n - 1) {
      return bounds[n - 2];
    }
    if (b == 0 && bounds[0] <= 0) {
      return bounds[0];
    }
    double start = b == 0 ? 0 : bounds[b - 1];
    double below = b == 0 ? 0 : counts[b - 1];
    double inside = counts[b] - below;
    return start + (bounds[b] - start) * ((rank - below) / inside);
  }
}
