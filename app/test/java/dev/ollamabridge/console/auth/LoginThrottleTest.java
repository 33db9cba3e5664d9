package dev.ollamabridge.console.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

  private final FakeTicker ticker = new FakeTicker();
  private final LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(15), ticker);

  @Test
  void aClientMayFailFourTimesAndStillTry() {
    failTimes("192.0.2.1", 4);

    assertThat(throttle.check("192.0.2.1").allowed()).isTrue();
  }

  @Test
  void afterFiveFailuresAClientIsRefusedAndToldWhenToRetry() {
    failTimes("192.0.2.1", 5);

    LoginThrottle.Verdict verdict = throttle.check("192.0.2.1");

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.retryAfterSeconds()).isBetween(1L, 15 * 60L);
  }

  @Test
  void aRefusedClientMayTryAgainAfterItsRetryAfter() {
    failTimes("192.0.2.1", 5);
    long retryAfter = throttle.check("192.0.2.1").retryAfterSeconds();

    ticker.advance(Duration.ofSeconds(retryAfter));

    assertThat(throttle.check("192.0.2.1").allowed()).isTrue();
    throttle.failed("192.0.2.1");
    assertThat(throttle.check("192.0.2.1").allowed()).as("one try back, not five").isFalse();
  }

  @Test
  void failuresSpreadOverMoreThanTheWindowDoNotLockAClientOut() {
    for (int i = 0; i < 20; i++) {
      throttle.failed("192.0.2.1");
      ticker.advance(Duration.ofMinutes(4));
      assertThat(throttle.check("192.0.2.1").allowed()).as("after failure %d", i + 1).isTrue();
    }
  }

  @Test
  void aSuccessfulLoginForgivesTheFailures() {
    failTimes("192.0.2.1", 4);

    throttle.succeeded("192.0.2.1");
    failTimes("192.0.2.1", 4);

    assertThat(throttle.check("192.0.2.1").allowed()).isTrue();
  }

  @Test
  void anotherClientIsNotAffected() {
    failTimes("192.0.2.1", 5);

    assertThat(throttle.check("192.0.2.1").allowed()).isFalse();
    assertThat(throttle.check("198.51.100.7").allowed()).isTrue();
  }

  @Test
  void checkingDoesNotCountAsATry() {
    for (int i = 0; i < 10; i++) {
      assertThat(throttle.check("192.0.2.1").allowed()).isTrue();
    }
  }

  private void failTimes(String client, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(throttle.check(client).allowed()).isTrue();
      throttle.failed(client);
    }
  }
}
