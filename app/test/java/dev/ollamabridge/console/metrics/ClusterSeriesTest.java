package dev.ollamabridge.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dashboard's chart of the whole cluster: every bridge and nginx's own answers, interval by interval. */
class ClusterSeriesTest {

  private static final Instant START = Instant.parse("2026-01-01T12:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(5);

  @Test
  void eachIntervalAddsUpTheBridgesAndWhatNginxAnsweredItself() {
    List<Figures> first = List.of(bridge(1.2, 4, 1), bridge(6.1, 2, 0));
    List<Figures> second = List.of(bridge(2.5, 3, 0.5));
    List<NginxAnswers.Figures> nginx = List.of(new NginxAnswers.Figures(START.plusMillis(3900), 7, 1, 2));

    ClusterSeries series = ClusterSeries.of(List.of(first, second), nginx, true, INTERVAL);

    assertThat(series.epochSeconds()).containsExactly(START.plusSeconds(5).getEpochSecond(),
        START.plusSeconds(10).getEpochSecond());
    assertThat(series.requestsPerSecond()).containsExactly(4.0 + 3 + 7, 2.0);
    assertThat(series.errorsPerSecond()).containsExactly(1.0 + 0.5 + 3, 0.0);
    assertThat(series.nginxErrorsPerSecond()).containsExactly(3.0, 0.0);
  }

  @Test
  void aBridgeReadTwiceInOneIntervalCountsOnceAsItsAverage() {
    List<Figures> twice = List.of(bridge(0.5, 4, 0), bridge(4.5, 8, 2));

    ClusterSeries series = ClusterSeries.of(List.of(twice), List.of(), false, INTERVAL);

    assertThat(series.requestsPerSecond()).containsExactly(6.0);
    assertThat(series.errorsPerSecond()).containsExactly(1.0);
    assertThat(series.nginxErrorsPerSecond()).as("no nginx of the console's own").containsExactly((Double) null);
  }

  private static Figures bridge(double secondsAfterStart, double requests, double errors) {
    return new Figures(START.plusMillis((long) (secondsAfterStart * 1000)), requests, errors, null, null, null, null,
        0, 0, 0, 0);
  }
}
