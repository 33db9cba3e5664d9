package dev.ollamabridge.console.alerts;

import java.time.Instant;

/**
 * One alert as it is posted: a rule fired for a subject, or its firing was resolved.
 *
 * @param kind the rule's word ({@code instance_down}…), or {@code test} for the Send test button
 * @param subject what it is about: an instance, a host, a key, {@code console} for the console's nginx
 * @param message one line saying what happened, bounded
 */
public record Alert(String kind, State state, String subject, String message, Instant at) {

  /** Whether the alert starts or ends; the payloads write it in lower case. */
  public enum State {
    FIRING, RESOLVED;

    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
