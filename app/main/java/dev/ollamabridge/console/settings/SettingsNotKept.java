package dev.ollamabridge.console.settings;

/** Settings that were stored, then put back: acting on them failed (nginx refused what they render). */
public final class SettingsNotKept extends RuntimeException {

  public SettingsNotKept(Throwable cause) {
    super("the settings were not kept: " + cause.getMessage(), cause, false, false);
  }
}
