package dev.ollamabridge.console.backup;

import java.io.Console;
import java.util.Arrays;
import java.util.Map;

/**
 * Where the command line's backup passphrase comes from: {@value #VARIABLE}, else the terminal (asked
 * twice when a backup is made). Never a flag: it would show in the process list.
 */
public final class Passphrases {

  public static final String VARIABLE = "OLLAMA_BRIDGE_BACKUP_PASSPHRASE";
  public static final int MIN_LENGTH = 12;
  public static final int MAX_LENGTH = 1024;

  private Passphrases() {}

  /** The passphrase to seal a new backup's secrets with; {@link BackupRefused} when there is none or it is too short. */
  public static char[] forBackup(Map<String, String> environment, Console console) {
    char[] passphrase = fromEnvironment(environment);
    if (passphrase == null && console != null) {
      passphrase = console.readPassword("Passphrase for the backup's secrets: ");
      char[] again = console.readPassword("The same passphrase again: ");
      if (passphrase != null && !Arrays.equals(passphrase, again)) {
        throw new BackupRefused("the two passphrases differ; nothing was written");
      }
    }
    if (passphrase == null) {
      throw new BackupRefused("--include-secrets needs a passphrase: set " + VARIABLE + " or run on a terminal");
    }
    if (passphrase.length < MIN_LENGTH || passphrase.length > MAX_LENGTH) {
      throw new BackupRefused("the passphrase must have " + MIN_LENGTH + " to " + MAX_LENGTH + " characters, this one has "
          + passphrase.length);
    }
    return passphrase;
  }

  /** The passphrase to open a backup's secrets with, or null when there is none to be had. */
  public static char[] forRestore(Map<String, String> environment, Console console) {
    char[] passphrase = fromEnvironment(environment);
    if (passphrase == null && console != null) {
      passphrase = console.readPassword("Passphrase of the backup's secrets: ");
    }
    return passphrase;
  }

  private static char[] fromEnvironment(Map<String, String> environment) {
    String value = environment.get(VARIABLE);
    return value == null || value.isEmpty() ? null : value.toCharArray();
  }
}
