package dev.ollamabridge.console.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SupervisePolicyTest {

  @Test
  void theDefaultsAreSupervisordsAsTheSeedConfiguresThem() {
    SupervisePolicy defaults = SupervisePolicy.defaults();

    assertThat(defaults.startSecs()).isEqualTo(Duration.ofSeconds(2));
    assertThat(defaults.startRetries()).isEqualTo(3);
    assertThat(defaults.autorestart()).isTrue();
    assertThat(defaults.stopWait()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.logMaxBytes()).isEqualTo(50L * 1024 * 1024);
    assertThat(defaults.logBackups()).isEqualTo(10);
  }

  @Test
  void theBackoffDoublesWithEachFailureUpToItsCap() {
    SupervisePolicy policy = SupervisePolicy.defaults();

    assertThat(List.of(1, 2, 3, 4, 5, 6, 100).stream().map(policy::backoffAfter).map(Duration::toSeconds))
        .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
  }

  @Test
  void aCapBelowTheBaseIsRejectedNamingBoth() {
    assertThatThrownBy(() -> new SupervisePolicy(Duration.ofSeconds(1), 3, Duration.ofSeconds(5),
        Duration.ofSeconds(1), true, Duration.ofSeconds(10), 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoffCap (PT1S) must be at least backoffBase (PT5S)");
  }
}
