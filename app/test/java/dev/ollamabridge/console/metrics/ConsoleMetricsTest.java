package dev.ollamabridge.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's own {@code /metrics}: instances by state and health, nginx applies. */
class ConsoleMetricsTest {

  @Test
  void instancesByStateAndHealthAreReadWhenScraped() throws Exception {
    // given instance counts that change after the metrics are built
    AtomicReference<Map<String, Long>> byState = new AtomicReference<>(Map.of());
    ConsoleMetrics metrics = new ConsoleMetrics(byState::get, () -> Map.of("up", 2L, "down", 1L));
    byState.set(Map.of("RUNNING", 2L, "FATAL", 1L));

    // when they are written
    List<Sample> samples = PrometheusText.parse(written(metrics));

    // then the current counts are there
    assertThat(samples).contains(
        new Sample("console_instances_by_state", Map.of("state", "RUNNING"), 2),
        new Sample("console_instances_by_state", Map.of("state", "FATAL"), 1),
        new Sample("console_instances_by_health", Map.of("health", "up"), 2),
        new Sample("console_instances_by_health", Map.of("health", "down"), 1));
  }

  @Test
  void whatNginxAnsweredItselfIsCountedSinceTheStart(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("answers.jsonl");
    NginxAnswers nginx = new NginxAnswers(log, Duration.ofHours(1), () -> { });
    ConsoleMetrics metrics = new ConsoleMetrics(Map::of, Map::of);
    metrics.watch(nginx);
    Instant start = Instant.parse("2026-01-01T12:00:00Z");
    nginx.read(start);

    Files.writeString(log, "{\"status\":\"502\"}\n{\"status\":\"404\"}\n{\"status\":\"200\"}\n");
    nginx.read(start.plusSeconds(5));

    assertThat(PrometheusText.parse(written(metrics))).contains(
        new Sample("console_nginx_own_answers_total", Map.of(), 3),
        new Sample("console_nginx_own_errors_total", Map.of(), 2));
    nginx.close();
  }

  @Test
  void appliesAreCountedByResultWithTheirDurations() throws Exception {
    ConsoleMetrics metrics = new ConsoleMetrics(Map::of, Map::of);

    metrics.applied("applied", Duration.ofMillis(120));
    metrics.applied("applied", Duration.ofMillis(80));
    metrics.applied("rejected", Duration.ofMillis(30));

    List<Sample> samples = PrometheusText.parse(written(metrics));
    assertThat(samples).contains(
        new Sample("console_nginx_applies_total", Map.of("result", "applied"), 2),
        new Sample("console_nginx_applies_total", Map.of("result", "rejected"), 1),
        new Sample("console_nginx_apply_duration_seconds_count", Map.of("result", "applied"), 2),
        new Sample("console_nginx_apply_duration_seconds_bucket", Map.of("result", "applied", "le", "0.1"), 1),
        new Sample("console_nginx_apply_duration_seconds_bucket", Map.of("result", "applied", "le", "+Inf"), 2));
    assertThat(metrics.contentType()).startsWith("text/plain");
  }

  private static String written(ConsoleMetrics metrics) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.write(out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
