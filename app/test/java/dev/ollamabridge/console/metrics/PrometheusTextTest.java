package dev.ollamabridge.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console reads the text a bridge writes at {@code /metrics}. */
class PrometheusTextTest {

  @TempDir Path cacheDir;

  @Test
  void theTextOfARealBridgeReadsAsItsCountersHistogramsAndGauges() {
    // given a bridge that answered one chat
    List<Sample> samples;
    try (RunningBridge bridge = new RunningBridge(cacheDir)) {
      bridge.chat("one two three");

      // when its metrics are read
      samples = PrometheusText.parse(bridge.metrics());
    }

    // then the counters, the histogram buckets and the gauges are there, with their labels
    assertThat(samples).contains(
        new Sample("bridge_requests_total", Map.of("route", "/api/chat", "status", "200", "cache", "miss"), 1),
        new Sample("bridge_request_duration_seconds_bucket", Map.of("route", "/api/chat", "le", "+Inf"), 1),
        new Sample("bridge_request_duration_seconds_count", Map.of("route", "/api/chat"), 1),
        new Sample("bridge_time_to_first_token_seconds_count", Map.of("route", "/api/chat"), 1),
        new Sample("bridge_completion_tokens_total", Map.of(), 5),
        new Sample("bridge_cache_misses_total", Map.of(), 1),
        new Sample("bridge_requests_in_flight", Map.of(), 0));
    assertThat(samples).noneMatch(sample -> sample.name().startsWith("#"));
  }

  @Test
  void commentsAndBlankLinesAreSkippedAndTimestampsIgnored() {
    List<Sample> samples = PrometheusText.parse("""
        # HELP up Whether the target answered.
        # TYPE up gauge

        up 1 1700000000000
        """);

    assertThat(samples).containsExactly(new Sample("up", Map.of(), 1));
  }

  @Test
  void escapedLabelValuesAreUnescaped() {
    List<Sample> samples = PrometheusText.parse(
        "error_total{message=\"said \\\"no\\\"\\nthen \\\\ left\",kind=\"x\",} 2.0\n");

    assertThat(samples.get(0).labels()).containsExactlyInAnyOrderEntriesOf(
        Map.of("message", "said \"no\"\nthen \\ left", "kind", "x"));
  }

  @Test
  void infinitiesAndNotANumberAreValues() {
    List<Sample> samples = PrometheusText.parse("""
        a_bucket{le="+Inf"} +Inf
        b -Inf
        c NaN
        d 1.5e3
        """);

    assertThat(samples).extracting(Sample::value)
        .containsExactly(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1500.0);
  }

  @Test
  void aMalformedLineIsRefusedWithItsNumber() {
    assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbroken{route=\"/x} 1\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> PrometheusText.parse("no_value\n"))
        .hasMessageContaining("line 1").hasMessageContaining("no value");
    assertThatThrownBy(() -> PrometheusText.parse("word abc\n"))
        .hasMessageContaining("'abc' is not a number");
  }
}
