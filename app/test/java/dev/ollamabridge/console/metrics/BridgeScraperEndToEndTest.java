package dev.ollamabridge.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's scraper reads a real bridge, in front of the fake backend, while it answers. */
class BridgeScraperEndToEndTest {

  private static final Duration INTERVAL = Duration.ofMillis(300);

  @TempDir Path cacheDir;
  private RunningBridge bridge;
  private BridgeScraper scraper;

  @BeforeEach
  void start() {
    bridge = new RunningBridge(cacheDir);
    List<BridgeScraper.Target> targets = List.of(new BridgeScraper.Target(1, "alpha", bridge.baseUrl()));
    scraper = new BridgeScraper(() -> targets,
        RunningBridge.HTTP, INTERVAL, Duration.ofHours(1), Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    scraper.close();
    bridge.close();
  }

  @Test
  void requestsThroughTheBridgeShowAsRatesLatencyTokensAndCacheHits() {
    // given a scraper that has read the idle bridge at least twice
    scraper.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> scraper.latest(1).isPresent());
    assertThat(scraper.latest(1).orElseThrow().latencyP50Ms()).isNull();

    // when a few chats go through, the last one a repeat answered from the cache
    bridge.chat("one two three");
    bridge.chat("four five six");
    bridge.chat("one two three");

    // then the scraped figures show them
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      List<Figures> window = scraper.window(1);
      assertThat(window).anySatisfy(figures -> assertThat(figures.requestsPerSecond()).isPositive());
      assertThat(window).anySatisfy(figures -> assertThat(figures.latencyP50Ms()).isNotNull().isPositive());
      assertThat(window).anySatisfy(figures -> assertThat(figures.firstTokenP50Ms()).isNotNull());
      assertThat(window).anySatisfy(figures -> assertThat(figures.completionTokensPerSecond()).isPositive());
      assertThat(window).anySatisfy(figures -> assertThat(figures.cacheHitRatio()).isNotNull().isPositive());
    });
    assertThat(scraper.window(1)).allSatisfy(figures -> assertThat(figures.errorsPerSecond()).isZero());
    assertThat(scraper.lastError(1)).isEmpty();
    assertThat(scraper.series(1).size()).isEqualTo(scraper.window(1).size());
  }

  @Test
  void aBridgeThatStopsAnsweringLeavesItsErrorAndKeepsItsFigures() {
    scraper.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> scraper.latest(1).isPresent());

    bridge.close();

    await().atMost(Duration.ofSeconds(20)).until(() -> scraper.lastError(1).isPresent());
    assertThat(scraper.window(1)).isNotEmpty();
  }
}
