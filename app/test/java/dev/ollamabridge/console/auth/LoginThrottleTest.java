package dev.ollamabridge.console.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

  private final FakeTicker ticker = new FakeTicker();
  private final LoginThrottle throttle = new LoginThrottle(5, 20, Duration.ofMinutes(15), ticker);

  @Test
  void aClientMayFailFiveTimes() {
    failTimes("192.0.2.1", 4);

    assertThat(throttle.reserve("192.0.2.1").allowed()).as("the fifth try").isTrue();
  }

  @Test
  void afterFiveFailuresAClientIsRefusedAndToldWhenToRetry() {
    failTimes("192.0.2.1", 5);

    LoginThrottle.Attempt refused = throttle.reserve("192.0.2.1");

    assertThat(refused.allowed()).isFalse();
    assertThat(refused.allClientsRefused()).isFalse();
    assertThat(refused.retryAfterSeconds()).isBetween(1L, 15 * 60L);
  }

  @Test
  void aRefusedClientMayTryAgainAfterItsRetryAfter() {
    failTimes("192.0.2.1", 5);
    long retryAfter = throttle.reserve("192.0.2.1").retryAfterSeconds();

    ticker.advance(Duration.ofSeconds(retryAfter));

    assertThat(throttle.reserve("192.0.2.1").allowed()).isTrue();
    assertThat(throttle.reserve("192.0.2.1").allowed()).as("one try back, not five").isFalse();
  }

  @Test
  void failuresSpreadOverMoreThanTheWindowDoNotLockAClientOut() {
    for (int i = 0; i < 20; i++) {
      assertThat(throttle.reserve("192.0.2.1").allowed()).as("try %d", i + 1).isTrue();
      ticker.advance(Duration.ofMinutes(4));
    }
  }

  @Test
  void aSuccessfulLoginForgivesTheFailures() {
    failTimes("192.0.2.1", 4);

    throttle.reserve("192.0.2.1").succeeded();
    failTimes("192.0.2.1", 5);

    assertThat(throttle.reserve("192.0.2.1").allowed()).isFalse();
  }

  @Test
  void anotherClientIsNotAffected() {
    failTimes("192.0.2.1", 5);

    assertThat(throttle.reserve("192.0.2.1").allowed()).isFalse();
    assertThat(throttle.reserve("198.51.100.7").allowed()).isTrue();
  }

  @Test
  void parallelTriesOfOneClientGetFiveChecksAtMost() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Callable<Boolean>> tries = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      tries.add(() -> throttle.reserve("192.0.2.1").allowed());
    }

    long allowed = 0;
    for (Future<Boolean> attempt : pool.invokeAll(tries)) {
      allowed += attempt.get() ? 1 : 0;
    }
    pool.shutdown();

    assertThat(allowed).isEqualTo(5);
  }

  @Test
  void allClientsTogetherMayFailTwentyTimesInAWindow() {
    for (int client = 1; client <= 4; client++) {
      failTimes("127.0.0." + client, 5);
    }

    LoginThrottle.Attempt fresh = throttle.reserve("127.0.0.99");

    assertThat(fresh.allowed()).as("a client that never failed").isFalse();
    assertThat(fresh.allClientsRefused()).isTrue();
    assertThat(fresh.retryAfterSeconds()).isBetween(1L, 15 * 60L);
    ticker.advance(Duration.ofSeconds(fresh.retryAfterSeconds()));
    assertThat(throttle.reserve("127.0.0.99").allowed()).isTrue();
  }

  @Test
  void aClientRefusedByTheCapOnAllClientsKeepsItsOwnTries() {
    for (int client = 1; client <= 4; client++) {
      failTimes("127.0.0." + client, 5);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(throttle.reserve("127.0.0.99").allowed()).isFalse();
    }

    ticker.advance(Duration.ofMinutes(15));

    failTimes("127.0.0.99", 5);
  }

  @Test
  void aRightPasswordGivesItsTryBackToAllClients() {
    for (int client = 1; client <= 20; client++) {
      LoginThrottle.Attempt attempt = throttle.reserve("127.0.0." + client);
      assertThat(attempt.allowed()).isTrue();
      attempt.succeeded();
    }

    assertThat(throttle.reserve("127.0.0.99").allowed()).isTrue();
  }

  private void failTimes(String client, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(throttle.reserve(client).allowed()).as("try %d of %s", i + 1, client).isTrue();
    }
  }
}
