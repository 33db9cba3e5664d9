package dev.ollamabridge.console.settings;

/** A settings change that breaks a rule; names the setting, or none when the change as a whole is wrong. */
public final class InvalidSetting extends RuntimeException {

  private final String field;

  public InvalidSetting(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  /** The setting's key, or null. */
  public String field() {
    return field;
  }
}
