package dev.ollamabridge.console.backup;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What a backup holds, written first into it as {@value #ENTRY}: each part with its size and SHA-256,
 * so that a restore checks them all before it writes anything.
 *
 * @param format the layout of the backup; a restore refuses one newer than {@link #FORMAT}
 * @param consoleVersion the version of the console that made it
 * @param createdAt when, ISO-8601 UTC
 * @param dataDir the data directory it was taken from: paths under it in the database (cache dirs,
 *     TLS files) are moved to the directory restored into
 * @param parts every entry but the manifest, by name
 * @param secrets how {@value #SECRETS} is encrypted; null when the backup holds no secrets
 * @param withheld the secrets left out (no {@code --include-secrets}), in words: what a restore lacks
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BackupManifest(int format, String consoleVersion, String createdAt, String dataDir, List<Part> parts,
    Encryption secrets, List<String> withheld) {

  public static final int FORMAT = 1;
  public static final String ENTRY = "manifest.json";
  public static final String DATABASE = "console.db";
  public static final String SECRETS = "secrets.bin";
  /** The prefix of the files copied from the data directory: {@code files/pki/ca.crt}. */
  public static final String FILES = "files/";

  /** One entry of the backup. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Part(String name, long bytes, String sha256) {}

  /**
   * AES-256-GCM with a key from the passphrase by PBKDF2-HMAC-SHA256; the manifest's parts are the
   * cipher's associated data, so that a changed part (or manifest) fails the decryption as well.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Encryption(String cipher, String kdf, int iterations, String salt, String nonce) {}

  /** The bytes the secrets' encryption authenticates with them: every part but the secrets, in order. */
  String associatedData() {
    StringBuilder data = new StringBuilder("ollama-bridge-backup:" + format + "\n");
    for (Part part : parts) {
      if (!part.name().equals(SECRETS)) {
        data.append(part.name()).append(' ').append(part.bytes()).append(' ').append(part.sha256()).append('\n');
      }
    }
    return data.toString();
  }
}
