package dev.ollamabridge.console.backup;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which files of the data directory a backup carries besides the database, and which of them are
 * secrets. Everything else there is made again by the console (nginx's files, the client keys file, pid
 * files, logs, caches, the managed Redis with a new password) or is not the cluster's.
 */
final class BackupParts {

  /** Public: the CA's certificate, which every joined agent pins. */
  static final List<String> PUBLIC_FILES = List.of("pki/ca.crt");
  /**
   * Secrets, only in the sealed part: the CA's key (new hosts join with it), the agent listener's key and
   * certificate, the console's internal key, the first admin password and token as the console wrote them.
   */
  static final List<String> SECRET_FILES = List.of("pki/ca.key", "pki/server.crt", "pki/server.key",
      "keys/console-key", "admin-token", "admin-password");
  /** The operator's certificates and keys for nginx, when they live in the data directory: secrets too. */
  static final String TLS_DIR = "tls";
  static final Pattern TLS_FILE = Pattern.compile("tls/[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  static final int MAX_TLS_FILES = 64;
  /** No file the console keeps is near this; one that is is not the console's. */
  static final int MAX_FILE_BYTES = 1024 * 1024;

  private BackupParts() {}

  static boolean isSecretFile(String name) {
    return SECRET_FILES.contains(name) || TLS_FILE.matcher(name).matches();
  }
}
