package dev.ollamabridge.bridge;

import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.link.KeyRule;
import dev.ollamabridge.link.KeyRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/** Client keys files as the console writes them: secrets made as it makes them, the file replaced atomically. */
final class KeyFiles {

  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyFiles() {}

  /** A secret of the console's shape: {@code ob-} and 43 base64url characters. */
  static String secret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "ob-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** An enabled key that never expires. */
  static KeyRule key(String id, String secret, List<String> models, int requestsPerMinute, long tokensPerDay) {
    return new KeyRule(id, "key " + id, Sha256.hex(secret), models, requestsPerMinute, tokensPerDay, null, true, false);
  }

  static void write(Path file, boolean required, KeyRule... keys) {
    write(file, new KeyRules(required, List.of(keys)));
  }

  static void write(Path file, KeyRules rules) {
    try {
      writeText(file, dev.ollamabridge.bridge.translate.Json.MAPPER.writeValueAsString(rules));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces the file by a rename, as the console does: a reader sees the old version or the new one. */
  static void writeText(Path file, String text) {
    try {
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temporary, text);
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
