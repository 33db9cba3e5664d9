package dev.ollamabridge.console.alerts;

import dev.ollamabridge.console.metrics.Figures;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The threshold rules, evaluated each round on what the console measures: a bridge's error ratio and
 * p95 latency from its latest scrape interval, and each key's share of its daily token budget.
 *
 * <p>As Prometheus's {@code for}, a bridge's alert fires once its condition has held for the rule's
 * minutes, from the first interval over the threshold to the latest; an interval under it starts the
 * count again, and resolves what fires. An interval without answers says nothing of either, so it
 * changes nothing: a quiet bridge neither fires nor resolves. A bridge no longer scraped (stopped,
 * removed) resolves its alerts.
 */
final class ThresholdWatch {

  /** Told of a condition's new state; the service keeps it from repeating. */
  @FunctionalInterface
  interface Change {
    void to(AlertKind kind, String subject, Alert.State state, String message);
  }

  private final Supplier<Map<Long, String>> bridges;
  private final LongFunction<Optional<Figures>> latest;
  private final KeyBudgets budgets;
  /** Since when each (kind, bridge) condition holds, by the end of its first interval over the threshold. */
  private final Map<String, Instant> overSince = new HashMap<>();
  /** The subjects this watch raised, to resolve those that leave. */
  private final Set<String> raised = new HashSet<>();

  /** @param firing what fired before this watch started ({@code kind|subject}), for it to resolve */
  ThresholdWatch(Supplier<Map<Long, String>> bridges, LongFunction<Optional<Figures>> latest, KeyBudgets budgets,
      java.util.Collection<String> firing) {
    this.bridges = bridges;
    this.latest = latest;
    this.budgets = budgets;
    for (String key : firing) {
      if (key.startsWith(AlertKind.ERROR_RATIO.word() + "|") || key.startsWith(AlertKind.LATENCY_P95.word() + "|")
          || key.startsWith(AlertKind.KEY_BUDGET.word() + "|")) {
        raised.add(key);
      }
    }
  }

  void round(Map<AlertKind, Rule> rules, Instant now, Change change) {
    Map<Long, String> scraped = bridges.get();
    Set<String> present = new HashSet<>();
    for (Map.Entry<Long, String> bridge : scraped.entrySet()) {
      Optional<Figures> figures = latest.apply(bridge.getKey());
      present.add(AlertKind.ERROR_RATIO.word() + "|" + bridge.getValue());
      present.add(AlertKind.LATENCY_P95.word() + "|" + bridge.getValue());
      if (figures.isEmpty()) {
        continue;
      }
      Figures f = figures.get();
      Double ratio = f.requestsPerSecond() > 0 ? 100 * f.errorsPerSecond() / f.requestsPerSecond() : null;
      bridge(rules.get(AlertKind.ERROR_RATIO), bridge.getValue(), ratio, f.at(), change,
          value -> String.format(Locale.ROOT, "%.1f %% of the answers of %s were errors (5xx)", value, bridge.getValue()));
      bridge(rules.get(AlertKind.LATENCY_P95), bridge.getValue(), f.latencyP95Ms(), f.at(), change,
          value -> String.format(Locale.ROOT, "the p95 latency of %s is %.0f ms", bridge.getValue(), value));
    }
    keys(rules.get(AlertKind.KEY_BUDGET), present, change);
    for (String key : Set.copyOf(raised)) {
      if (!present.contains(key)) {
        String[] parts = key.split("\\|", 2);
        raised.remove(key);
        overSince.remove(key);
        change.to(AlertKind.of(parts[0]).orElseThrow(), parts[1], Alert.State.RESOLVED,
            parts[0].equals(AlertKind.KEY_BUDGET.word()) ? "the key has no budget any more"
                : parts[1] + " is no longer measured (stopped or removed)");
      }
    }
    overSince.keySet().retainAll(present);
  }

  private void bridge(Rule rule, String name, Double value, Instant at, Change change,
      java.util.function.DoubleFunction<String> says) {
    String key = rule.kind().word() + "|" + name;
    if (!rule.enabled()) {
      overSince.remove(key);
      raised.remove(key);
      return;
    }
    if (value == null) {
      return;
    }
    if (value > rule.threshold()) {
      Instant since = overSince.computeIfAbsent(key, k -> at);
      Duration held = Duration.between(since, at);
      if (held.compareTo(Duration.ofMinutes(rule.minutes())) >= 0) {
        raised.add(key);
        change.to(rule.kind(), name, Alert.State.FIRING, says.apply(value) + ", over " + threshold(rule)
            + (rule.minutes() == 0 ? "" : " for " + rule.minutes() + " min"));
      }
    } else {
      overSince.remove(key);
      if (raised.remove(key)) {
        change.to(rule.kind(), name, Alert.State.RESOLVED, says.apply(value) + ", under " + threshold(rule));
      }
    }
  }

  private void keys(Rule rule, Set<String> present, Change change) {
    if (!rule.enabled()) {
      raised.removeIf(key -> key.startsWith(rule.kind().word() + "|"));
      return;
    }
    for (KeyBudgets.KeyBudget key : budgets.today()) {
      if (key.tokensPerDay() <= 0) {
        continue;
      }
      String subject = rule.kind().word() + "|" + key.name();
      present.add(subject);
      double share = 100.0 * key.tokensUsedToday() / key.tokensPerDay();
      String says = String.format(Locale.ROOT, "key %s used %d of its %d tokens today (%.0f %%)", key.name(),
          key.tokensUsedToday(), key.tokensPerDay(), share);
      if (share >= rule.threshold()) {
        raised.add(subject);
        change.to(rule.kind(), key.name(), Alert.State.FIRING, says + ", at least " + threshold(rule));
      } else if (raised.remove(subject)) {
        change.to(rule.kind(), key.name(), Alert.State.RESOLVED, says);
      }
    }
  }

  private static String threshold(Rule rule) {
    return rule.kind().format(rule.threshold()) + " " + rule.kind().unit();
  }
}
