package dev.ollamabridge.console.backup;

/** A backup that cannot be made or a restore that is refused, with a one-line reason; nothing was written. */
public final class BackupRefused extends RuntimeException {

  public BackupRefused(String message) {
    super(message, null, false, false);
  }

  public BackupRefused(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
