package dev.ollamabridge.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Two scrapes of a bridge become the rates and quantiles the dashboard shows. */
class FiguresTest {

  private static final Instant START = Instant.parse("2026-01-01T12:00:00Z");

  private static final String BEFORE = """
      # TYPE bridge_requests_total counter
      bridge_requests_total{cache="miss",route="/api/chat",status="200"} 10.0
      bridge_request_duration_seconds_bucket{le="0.1",route="/api/chat"} 0
      bridge_request_duration_seconds_bucket{le="0.5",route="/api/chat"} 5
      bridge_request_duration_seconds_bucket{le="1.0",route="/api/chat"} 10
      bridge_request_duration_seconds_bucket{le="+Inf",route="/api/chat"} 10
      bridge_completion_tokens_total 100.0
      bridge_requests_in_flight 0.0
      bridge_admission_rejections_total 1.0
      bridge_admission_queue_depth 0.0
      """;

  /** Ten seconds later: ten more requests, all between 0.1 and 0.5 s; four hits, four misses, two 503s. */
  private static final String AFTER = """
      bridge_requests_total{cache="miss",route="/api/chat",status="200"} 14.0
      bridge_requests_total{cache="hit",route="/api/chat",status="200"} 4.0
      bridge_requests_total{cache="off",route="/api/chat",status="503"} 2.0
      bridge_request_duration_seconds_bucket{le="0.1",route="/api/chat"} 0
      bridge_request_duration_seconds_bucket{le="0.5",route="/api/chat"} 15
      bridge_request_duration_seconds_bucket{le="1.0",route="/api/chat"} 20
      bridge_request_duration_seconds_bucket{le="+Inf",route="/api/chat"} 20
      bridge_time_to_first_token_seconds_bucket{le="0.1",route="/api/chat"} 0
      bridge_time_to_first_token_seconds_bucket{le="+Inf",route="/api/chat"} 0
      bridge_completion_tokens_total 200.0
      bridge_requests_in_flight 3.0
      bridge_admission_rejections_total 6.0
      bridge_admission_queue_depth 2.0
      """;

  @Test
  void ratesArePerSecondOverTheInterval() {
    Figures figures = Figures.between(Scrape.of(START, BEFORE), Scrape.of(START.plusSeconds(10), AFTER));

    assertThat(figures.at()).isEqualTo(START.plusSeconds(10));
    assertThat(figures.requestsPerSecond()).isCloseTo(1.0, within(1e-9));
    assertThat(figures.errorsPerSecond()).isCloseTo(0.2, within(1e-9));
    assertThat(figures.completionTokensPerSecond()).isCloseTo(10.0, within(1e-9));
    assertThat(figures.inFlight()).isEqualTo(3);
    assertThat(figures.queued()).isEqualTo(2);
    assertThat(figures.refusedPerSecond()).as("refused for want of a slot").isCloseTo(0.5, within(1e-9));
  }

  @Test
  void latencyQuantilesInterpolateInsideTheBucketOfTheIntervalsObservations() {
    Figures figures = Figures.between(Scrape.of(START, BEFORE), Scrape.of(START.plusSeconds(10), AFTER));

    // all ten new observations lie in (0.1, 0.5]: the median is halfway, the 95th at 95 %
    assertThat(figures.latencyP50Ms()).isCloseTo(300.0, within(1e-6));
    assertThat(figures.latencyP95Ms()).isCloseTo(480.0, within(1e-6));
  }

  @Test
  void theCacheHitRatioCountsOnlyRequestsThatCouldUseTheCache() {
    Figures figures = Figures.between(Scrape.of(START, BEFORE), Scrape.of(START.plusSeconds(10), AFTER));

    assertThat(figures.cacheHitRatio()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void anIntervalWithoutRequestsHasNoLatencyNoFirstTokenAndNoHitRatio() {
    Figures figures = Figures.between(Scrape.of(START, AFTER), Scrape.of(START.plusSeconds(5), AFTER));

    assertThat(figures.requestsPerSecond()).isZero();
    assertThat(figures.latencyP50Ms()).isNull();
    assertThat(figures.latencyP95Ms()).isNull();
    assertThat(figures.firstTokenP50Ms()).isNull();
    assertThat(figures.cacheHitRatio()).isNull();
  }

  @Test
  void aRestartedBridgeCountsFromZeroInsteadOfGivingNegativeRates() {
    // given a bridge that restarted between two scrapes and has answered two requests since
    String restarted = """
        bridge_requests_total{cache="miss",route="/api/chat",status="200"} 2.0
        bridge_request_duration_seconds_bucket{le="0.1",route="/api/chat"} 2
        bridge_request_duration_seconds_bucket{le="0.5",route="/api/chat"} 2
        bridge_request_duration_seconds_bucket{le="1.0",route="/api/chat"} 2
        bridge_request_duration_seconds_bucket{le="+Inf",route="/api/chat"} 2
        bridge_completion_tokens_total 20.0
        bridge_requests_in_flight 0.0
        """;

    // when the figures of the interval are computed
    Figures figures = Figures.between(Scrape.of(START, AFTER), Scrape.of(START.plusSeconds(5), restarted));

    // then what the new bridge counted is the interval's increase
    assertThat(figures.requestsPerSecond()).isCloseTo(0.4, within(1e-9));
    assertThat(figures.errorsPerSecond()).isZero();
    assertThat(figures.completionTokensPerSecond()).isCloseTo(4.0, within(1e-9));
    assertThat(figures.latencyP50Ms()).isCloseTo(50.0, within(1e-6));
    assertThat(figures.cacheHitRatio()).isZero();
  }

  @Test
  void observationsAboveTheHighestBoundAreReportedAtThatBound() {
    String slow = """
        bridge_request_duration_seconds_bucket{le="0.1",route="/api/chat"} 0
        bridge_request_duration_seconds_bucket{le="1.0",route="/api/chat"} 0
        bridge_request_duration_seconds_bucket{le="+Inf",route="/api/chat"} 4
        """;

    Figures figures = Figures.between(Scrape.of(START, ""), Scrape.of(START.plusSeconds(5), slow));

    assertThat(figures.latencyP95Ms()).isCloseTo(1000.0, within(1e-6));
  }
}
