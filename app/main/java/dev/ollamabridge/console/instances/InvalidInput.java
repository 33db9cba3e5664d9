package dev.ollamabridge.console.instances;

import dev.ollamabridge.console.validation.Violation;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Values that break rules: 400, naming each field and its rule. {@link #field()} and the message
 * are those of the first; {@link #violations()} holds every one, so a form shows them all at once.
 */
public final class InvalidInput extends RuntimeException {

  private final List<Violation> violations;

  public InvalidInput(String field, String message) {
    this(List.of(new Violation(field, message)));
  }

  /** @param violations at least one */
  public InvalidInput(List<Violation> violations) {
    super(violations.stream().map(Violation::message).collect(Collectors.joining("; ")), null, false, false);
    this.violations = List.copyOf(violations);
  }

  /** The first refused field. */
  public String field() {
    return violations.get(0).field();
  }

  public List<Violation> violations() {
    return violations;
  }
}
