package dev.ollamabridge.console.instances;

/** No instance has this id: 404. */
public final class InstanceNotFound extends RuntimeException {

  public InstanceNotFound(long id) {
    super("no instance has id " + id, null, false, false);
  }
}
