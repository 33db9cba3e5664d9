package dev.ollamabridge.console.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The console's own Prometheus metrics, in a registry of its own: its instances by process state
 * and by health (read when scraped), its nginx applies, and what its nginx answered itself.
 */
public final class ConsoleMetrics {

  /** An apply runs {@code nginx -t} and a reload, then waits up to 10 s for nginx to serve the new revision. */
  private static final double[] APPLY_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  private final Counter applies = Counter.builder().name("console_nginx_applies_total")
      .help("nginx configuration applies, by result (applied, rejected, failed).")
      .labelNames("result").register(registry);
  private final Histogram applyDuration = Histogram.builder().name("console_nginx_apply_duration_seconds")
      .help("Time to render, test, swap, reload and verify an nginx configuration, by result.").classicOnly()
      .classicUpperBounds(APPLY_BUCKETS).labelNames("result").register(registry);

  /**
   * @param byState how many instances are in each process state now (e.g. {@code RUNNING → 3})
   * @param byHealth how many instances are in each health verdict now (e.g. {@code up → 2, down → 1})
   */
  public ConsoleMetrics(Supplier<Map<String, Long>> byState, Supplier<Map<String, Long>> byHealth) {
    GaugeWithCallback.builder().name("console_instances_by_state")
        .help("Instances in each process state.").labelNames("state")
        .callback(callback -> byState.get().forEach((state, count) -> callback.call(count, state)))
        .register(registry);
    GaugeWithCallback.builder().name("console_instances_by_health")
        .help("Instances by the verdict of their health checks.").labelNames("health")
        .callback(callback -> byHealth.get().forEach((health, count) -> callback.call(count, health)))
        .register(registry);
  }

  /**
   * Adds the requests the managed nginx answered itself (no bridge counts them), read when scraped:
   * all of them and those with an error status, since the console started.
   */
  public void watch(NginxAnswers nginx) {
    CounterWithCallback.builder().name("console_nginx_own_answers_total")
        .help("Requests the managed nginx answered itself (no bridge up, an unknown model, a body too large, its rate"
            + " limit), from its answers log, since the console started.")
        .callback(callback -> callback.call(nginx.totals().answers())).register(registry);
    CounterWithCallback.builder().name("console_nginx_own_errors_total")
        .help("Those of them with a 4xx or 5xx status.")
        .callback(callback -> callback.call(nginx.totals().errors())).register(registry);
  }

  /** Counts one apply and how long it took; {@code result} as in {@code Revision.result()}. */
  public void applied(String result, Duration took) {
    applies.labelValues(result).inc();
    applyDuration.labelValues(result).observe(took.toNanos() / 1e9);
  }

  public String contentType() {
    return writer.getContentType();
  }

  public void write(OutputStream out) throws IOException {
    writer.write(out, registry.scrape());
  }
}
