package dev.ollamabridge.console.hosts;

/** A host change that collides with the state of things (a name taken, the agent listener off): 409. */
public final class HostConflict extends RuntimeException {

  private final String field;

  public HostConflict(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
