package dev.ollamabridge.console.keys;

/** A change that clashes with another key (a name in use): 409, naming the field. */
public final class KeyConflict extends RuntimeException {

  private final String field;

  public KeyConflict(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
