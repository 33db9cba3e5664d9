package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Full jitter: each delay is anywhere from nothing up to the doubling ceiling, which stops at the cap. */
class BackoffTest {

  @Test
  void delaysStayUnderACeilingThatDoublesUpToTheCap() {
    Backoff backoff = Backoff.standard();

    for (int failures = 0; failures < 40; failures++) {
      long ceiling = Math.min(30_000, 1000L << Math.min(failures, 20));
      int attempt = failures;
      assertThat(IntStream.range(0, 200).mapToObj(i -> backoff.delay(attempt)))
          .allSatisfy(delay -> assertThat(delay).isBetween(Duration.ZERO, Duration.ofMillis(ceiling)));
    }
  }

  @Test
  void delaysAreSpreadNotAllTheSame() {
    assertThat(IntStream.range(0, 50).mapToObj(i -> Backoff.standard().delay(10)).distinct().count()).isGreaterThan(10);
  }
}
