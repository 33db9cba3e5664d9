package dev.ollamabridge.console.keys;

/** No key with this id, or one already revoked where a live one is needed: 404. */
public final class KeyNotFound extends RuntimeException {

  public KeyNotFound(String message) {
    super(message, null, false, false);
  }
}
