package dev.ollamabridge.console.alerts;

/** No webhook of that id: 404. */
public final class AlertNotFound extends RuntimeException {

  public AlertNotFound(String message) {
    super(message, null, false, false);
  }
}
