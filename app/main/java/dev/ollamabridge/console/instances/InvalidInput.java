package dev.ollamabridge.console.instances;

/** A value that breaks a rule: 400, naming the field and the rule. */
public final class InvalidInput extends RuntimeException {

  private final String field;

  public InvalidInput(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
