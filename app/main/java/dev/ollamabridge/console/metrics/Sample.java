package dev.ollamabridge.console.metrics;

import java.util.Map;

/**
 * One line of a Prometheus text exposition: {@code name{labels} value}.
 *
 * @param name the sample's name as written, with any {@code _total}, {@code _bucket}, {@code _count} suffix
 * @param labels the labels, unescaped; empty when the line has none
 */
public record Sample(String name, Map<String, String> labels, double value) {

  public Sample {
    labels = Map.copyOf(labels);
  }

  public String label(String label) {
    return labels.get(label);
  }
}
