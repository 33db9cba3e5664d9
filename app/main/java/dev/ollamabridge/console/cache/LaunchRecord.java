package dev.ollamabridge.console.cache;

import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which Redis the bridges were last launched with, kept across console restarts as
 * {@code <salt> <sha256(salt, url, password)>} in one owner-only file: enough to tell that it changed,
 * nothing that gives the password back (a fresh random salt each time, so not even a guess can be
 * checked against a table).
 */
final class LaunchRecord {

  private static final Logger log = LoggerFactory.getLogger(LaunchRecord.class);

  private LaunchRecord() {}

  static Optional<String> read(Path file) {
    try {
      return Files.isRegularFile(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static boolean matches(String recorded, RedisTarget target) {
    int space = recorded.indexOf(' ');
    return space > 0 && recorded.equals(recorded.substring(0, space) + " " + digest(recorded.substring(0, space), target));
  }

  static void write(Path file, RedisTarget target) {
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    String salt = HexFormat.of().formatHex(random);
    try {
      OwnerOnly.directory(file.getParent());
      OwnerOnly.writeString(file, salt + " " + digest(salt, target) + "\n");
    } catch (IOException e) {
      log.warn("cannot note which Redis the bridges use in {}: {}", file, e.getMessage());
    }
  }

  private static String digest(String salt, RedisTarget target) {
    return Sha256.hex(salt + "\n" + (target.on() ? target.url() : "off") + "\n"
        + (target.password() == null ? "" : target.password()));
  }
}
