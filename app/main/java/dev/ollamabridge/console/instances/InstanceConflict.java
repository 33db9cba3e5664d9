package dev.ollamabridge.console.instances;

/** A change that collides with another instance (a taken name, port or cache dir) or a newer version: 409. */
public final class InstanceConflict extends RuntimeException {

  private final String field;

  public InstanceConflict(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  /** The field to change, or null when no single field is to blame (a stale version). */
  public String field() {
    return field;
  }
}
