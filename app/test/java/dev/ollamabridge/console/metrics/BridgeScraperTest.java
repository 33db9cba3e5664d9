package dev.ollamabridge.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scraper's bookkeeping, against a bridge that answers hand-written text, on a clock the test sets. */
class BridgeScraperTest {

  private static final Instant START = Instant.parse("2026-01-01T12:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(5);

  private final MockWebServer bridge = new MockWebServer();
  private final OkHttpClient http = new OkHttpClient();
  private final List<BridgeScraper.Target> targets = new CopyOnWriteArrayList<>();
  private Instant now = START;
  private Clock clock;
  private BridgeScraper scraper;

  @BeforeEach
  void start() throws Exception {
    bridge.start(InetAddress.getByName("127.0.0.1"), 0);
    targets.add(new BridgeScraper.Target(7, "alpha", "http://127.0.0.1:" + bridge.getPort()));
    clock = new Clock() {
      @Override
      public Instant instant() {
        return now;
      }

      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }
    };
    scraper = new BridgeScraper(() -> targets, http, INTERVAL, Duration.ofMinutes(1), clock);
  }

  @AfterEach
  void stop() {
    scraper.close();
    bridge.close();
  }

  @Test
  void aCounterThatGoesDownIsAResetAndGivesNoNegativeRate() {
    // given a bridge read once with high counts, then restarted with low ones
    answer("bridge_requests_total{cache=\"off\",route=\"/api/chat\",status=\"200\"} 100\nbridge_completion_tokens_total 900\n");
    scraper.scrapeAll();
    now = now.plus(INTERVAL);
    answer("bridge_requests_total{cache=\"off\",route=\"/api/chat\",status=\"200\"} 5\nbridge_completion_tokens_total 50\n");

    // when it is read again
    scraper.scrapeAll();

    // then the rates are what the new bridge counted, over the interval
    Figures figures = scraper.latest(7).orElseThrow();
    assertThat(figures.requestsPerSecond()).isEqualTo(1.0);
    assertThat(figures.completionTokensPerSecond()).isEqualTo(10.0);
  }

  @Test
  void aFailedScrapeIsRememberedAndTheNextSuccessClearsIt() {
    bridge.enqueue(new MockResponse.Builder().code(503).build());
    scraper.scrapeAll();
    assertThat(scraper.lastError(7)).contains("GET /metrics answered 503");

    answer("bridge_requests_in_flight 0\n");
    scraper.scrapeAll();
    assertThat(scraper.lastError(7)).isEmpty();
  }

  @Test
  void textThatIsNotPrometheusIsAFailureNotAnException() {
    answer("<html>nginx</html>\n");

    scraper.scrapeAll();

    assertThat(scraper.lastError(7)).hasValueSatisfying(error -> assertThat(error).contains("line 1"));
  }

  @Test
  void theWindowKeepsTheFiguresOfTheLastMinuteOldestFirst() {
    for (int i = 0; i <= 15; i++) {
      answer("bridge_requests_total{cache=\"off\",route=\"/api/chat\",status=\"200\"} " + i * 5 + "\n");
      scraper.scrapeAll();
      now = now.plus(INTERVAL);
    }
    now = now.minus(INTERVAL);

    List<Figures> window = scraper.window(7);

    assertThat(window).hasSize(13); // 75 s of scrapes give 15 intervals, of which the last 60 s are kept
    assertThat(window.get(0).at()).isEqualTo(now.minusSeconds(60));
    assertThat(window).last().isEqualTo(scraper.latest(7).orElseThrow());
    assertThat(window).allSatisfy(figures -> assertThat(figures.requestsPerSecond()).isEqualTo(1.0));
  }

  @Test
  void aLongSilenceStartsANewBaselineAndShowsAsAGapInTheSeries() {
    // given a bridge read twice, then not for a minute, then twice again
    for (int i = 0; i < 2; i++) {
      answer("bridge_requests_total{cache=\"off\",route=\"/api/chat\",status=\"200\"} " + i * 5 + "\n");
      scraper.scrapeAll();
      now = now.plus(INTERVAL);
    }
    now = now.plusSeconds(40);
    for (int i = 0; i < 2; i++) {
      answer("bridge_requests_total{cache=\"off\",route=\"/api/chat\",status=\"200\"} " + (1000 + i * 10) + "\n");
      scraper.scrapeAll();
      now = now.plus(INTERVAL);
    }

    // when its chart is asked for
    Series series = scraper.series(7);

    // then the two figures are apart, with a row of nulls between them
    assertThat(series.size()).isEqualTo(3);
    assertThat(series.requestsPerSecond()).containsExactly(1.0, null, 2.0);
    assertThat(series.epochSeconds()[0]).isEqualTo(START.plus(INTERVAL).getEpochSecond());
    assertThat(series.epochSeconds()).isSorted();
  }

  @Test
  void theIntervalIsReadAgainAtEveryRoundAndAShorterOneShortensTheLongestGap() {
    // given a scraper whose interval is a setting, now 5 s, and a bridge read twice at that pace
    AtomicReference<Duration> interval = new AtomicReference<>(INTERVAL);
    scraper.close();
    scraper = new BridgeScraper(() -> targets, http, interval::get, Duration.ofMinutes(1), clock);
    for (int i = 0; i < 2; i++) {
      answer("bridge_requests_total{cache=\"off\",route=\"/api/chat\",status=\"200\"} " + i * 5 + "\n");
      scraper.scrapeAll();
      now = now.plus(INTERVAL);
    }
    assertThat(scraper.window(7)).hasSize(1);

    // when the interval becomes 1 s, and the next read comes 6 s later (within 3 × 5 s + 2 s, beyond 3 × 1 s + 2 s)
    interval.set(Duration.ofSeconds(1));
    now = now.plusSeconds(1);
    answer("bridge_requests_total{cache=\"off\",route=\"/api/chat\",status=\"200\"} 100\n");
    scraper.scrapeAll();

    // then that read only starts a new baseline
    assertThat(scraper.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(scraper.window(7)).hasSize(1);
  }

  @Test
  void anIntervalNoShorterThanTheWindowIsRefused() {
    assertThatThrownBy(() -> new BridgeScraper(() -> targets, http, Duration.ofMinutes(1), Duration.ofMinutes(1), clock))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than the scrape interval");
  }

  @Test
  void aMalformedBaseUrlIsAFailureOfThatTargetAlone() {
    targets.add(new BridgeScraper.Target(8, "broken", "http://127.0.0.1:-2"));
    answer("bridge_requests_in_flight 0\n");

    scraper.scrapeAll();

    assertThat(scraper.lastError(8)).hasValueSatisfying(error -> assertThat(error).contains("port"));
    assertThat(scraper.lastError(7)).isEmpty();
  }

  @Test
  void aTargetThatDisappearsIsForgotten() {
    answer("bridge_requests_total 1\n");
    scraper.scrapeAll();
    now = now.plus(INTERVAL);
    answer("bridge_requests_total 2\n");
    scraper.scrapeAll();
    assertThat(scraper.latest(7)).isPresent();

    targets.clear();
    scraper.scrapeAll();

    assertThat(scraper.latest(7)).isEmpty();
    assertThat(scraper.window(7)).isEmpty();
  }

  private void answer(String text) {
    bridge.enqueue(new MockResponse.Builder().body(text).build());
  }
}
