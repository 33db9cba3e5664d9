package dev.ollamabridge.console.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.metrics.Figures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * How a rule's minutes count, on figures as the scraper gives them: from the first interval over the
 * threshold to the latest, started again by one under it; an interval without answers changes nothing;
 * a bridge no longer scraped resolves.
 */
class ThresholdWatchTest {

  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

  private final AtomicReference<Figures> latest = new AtomicReference<>();
  private final AtomicReference<Map<Long, String>> bridges = new AtomicReference<>(Map.of(1L, "b1"));
  private final ThresholdWatch watch = new ThresholdWatch(bridges::get, id -> Optional.ofNullable(latest.get()),
      KeyBudgets.NONE, List.of());
  private final Map<AlertKind, Rule> rules = new java.util.EnumMap<>(Map.of(
      AlertKind.ERROR_RATIO, new Rule(AlertKind.ERROR_RATIO, true, 10.0, 2),
      AlertKind.LATENCY_P95, new Rule(AlertKind.LATENCY_P95, false, 1000.0, 0),
      AlertKind.KEY_BUDGET, AlertKind.KEY_BUDGET.defaults()));
  private final List<String> changes = new ArrayList<>();

  @Test
  void anErrorRatioFiresOnlyOnceItHeldForTheRulesMinutes() {
    round(0, 10, 5);
    round(60, 10, 5);
    assertThat(changes).as("over for a minute of two").isEmpty();

    round(90, 0, 0);
    assertThat(changes).as("an interval without answers says nothing").isEmpty();

    round(120, 10, 5);
    assertThat(changes).containsExactly("firing b1");
  }

  @Test
  void anIntervalUnderTheThresholdStartsTheCountAgainAndResolves() {
    round(0, 10, 5);
    round(60, 10, 0);
    round(150, 10, 5);
    assertThat(changes).as("over again since 150 s only").isEmpty();
    round(270, 10, 5);
    assertThat(changes).containsExactly("firing b1");

    round(300, 10, 0);
    assertThat(changes).containsExactly("firing b1", "resolved b1");
  }

  @Test
  void aBridgeNoLongerScrapedResolvesWhatItFired() {
    round(0, 10, 5);
    round(120, 10, 5);
    bridges.set(Map.of());

    watch.round(rules, T0, this::record);

    assertThat(changes).containsExactly("firing b1", "resolved b1");
  }

  /** One round whose latest figures end {@code seconds} after T0: {@code requests} per second, {@code errors} of them 5xx. */
  private void round(int seconds, double requests, double errors) {
    latest.set(new Figures(T0.plusSeconds(seconds), requests, errors, 50.0, 80.0, null, null, 0, 0, 0, 0));
    watch.round(rules, T0.plusSeconds(seconds), this::record);
  }

  private void record(AlertKind kind, String subject, Alert.State state, String message) {
    if (kind == AlertKind.ERROR_RATIO) {
      changes.add(state.word() + " " + subject);
    }
  }
}
