package dev.ollamabridge.bridge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The Redis tier's breaker, on a clock the test moves: open after a failure, one probe at a time, longer waits, closed by a success. */
class BreakerTest {

  private final AtomicLong now = new AtomicLong();
  private final Breaker breaker = new Breaker(now::get);

  @Test
  void aFailureStopsCallsForAboutASecondThenLetsOneProbeThrough() {
    assertThat(breaker.allow()).isTrue();

    Duration wait = breaker.failed();

    assertThat(wait).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
    assertThat(breaker.allow()).isFalse();
    now.addAndGet(wait.toNanos());
    assertThat(breaker.allow()).as("the probe").isTrue();
    assertThat(breaker.allow()).as("a second caller while the probe is out").isFalse();
  }

  @Test
  void eachFailedProbeDoublesTheWaitUpToThirtySeconds() {
    Duration wait = breaker.failed();
    for (int i = 0; i < 10; i++) {
      now.addAndGet(wait.toNanos());
      assertThat(breaker.allow()).isTrue();
      wait = breaker.failed();
    }
    assertThat(wait).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(36));
  }

  @Test
  void failuresOfCallsThatBeganBeforeItOpenedDoNotLengthenTheWait() {
    Duration first = breaker.failed();
    Duration late = breaker.failed();

    assertThat(late).isLessThanOrEqualTo(first);
    now.addAndGet(first.toNanos());
    assertThat(breaker.allow()).isTrue();
  }

  @Test
  void aSuccessClosesItAndTheNextFailureWaitsAboutASecondAgain() {
    Duration wait = breaker.failed();
    now.addAndGet(wait.toNanos());
    breaker.allow();
    now.addAndGet(breaker.failed().toNanos());
    breaker.allow();

    breaker.succeeded();

    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.failed()).isLessThanOrEqualTo(Duration.ofMillis(1200));
  }
}
