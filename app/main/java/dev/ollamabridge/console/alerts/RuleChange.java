package dev.ollamabridge.console.alerts;

import dev.ollamabridge.console.validation.Violation;
import java.util.List;
import java.util.Optional;

/**
 * A change of one rule as the API or the form gave it: null leaves a part as it is. Fields are named
 * {@code <kind>.enabled}, {@code <kind>.threshold} and {@code <kind>.minutes} in refusals.
 */
public record RuleChange(AlertKind kind, Boolean enabled, Double threshold, Integer minutes) {

  /** The rule as changed, or empty with what is wrong added to {@code wrong}. */
  Optional<Rule> applyTo(Rule rule, List<Violation> wrong) {
    String prefix = kind.word() + ".";
    int before = wrong.size();
    if (threshold != null && !kind.takesThreshold()) {
      wrong.add(new Violation(prefix + "threshold", kind.word() + " takes no threshold"));
    } else if (threshold != null && (threshold.isNaN() || !kind.allows(threshold))) {
      wrong.add(new Violation(prefix + "threshold", prefix + "threshold must be " + kind.thresholdRule()));
    }
    if (minutes != null && !kind.takesMinutes()) {
      wrong.add(new Violation(prefix + "minutes", kind.word() + " takes no minutes: it fires at once"));
    } else if (minutes != null && (minutes < 0 || minutes > AlertKind.MAX_MINUTES)) {
      wrong.add(new Violation(prefix + "minutes", prefix + "minutes must be an integer from 0 to " + AlertKind.MAX_MINUTES));
    }
    if (wrong.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new Rule(kind, enabled != null ? enabled : rule.enabled(),
        threshold != null ? threshold : rule.threshold(), minutes != null ? minutes : rule.minutes()));
  }
}
