package dev.ollamabridge.console.settings;

import dev.ollamabridge.console.validation.Violation;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A settings change that breaks rules; each violation names its setting, or none when the change as
 * a whole is wrong. {@link #field()} and the message are those of the first.
 */
public final class InvalidSetting extends RuntimeException {

  private final List<Violation> violations;

  public InvalidSetting(String field, String message) {
    this(List.of(new Violation(field, message)));
  }

  /** @param violations at least one */
  public InvalidSetting(List<Violation> violations) {
    super(violations.stream().map(Violation::message).collect(Collectors.joining("; ")), null, false, false);
    this.violations = List.copyOf(violations);
  }

  /** The first refused setting's key, or null. */
  public String field() {
    return violations.get(0).field();
  }

  public List<Violation> violations() {
    return violations;
  }
}
