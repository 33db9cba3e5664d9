package dev.ollamabridge.console.files;

/** A value that must not reach a generated file, or a combination nginx refuses; says which and why. */
public final class RenderException extends RuntimeException {

  private final String field;

  public RenderException(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
