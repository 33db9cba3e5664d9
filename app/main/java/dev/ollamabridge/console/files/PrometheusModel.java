package dev.ollamabridge.console.files;

import java.util.List;

/** Every bridge as a scrape target of {@code prometheus.yml}. */
public record PrometheusModel(List<Target> targets) {

  /** One bridge: where its {@code /metrics} is, and the labels it gets. */
  public record Target(String address, String name, String role) {}
}
