package dev.ollamabridge.console.keys;

import java.security.SecureRandom;
import java.util.Base64;

/** Client keys' secrets: {@code ob-} and 32 random bytes, base64url without padding (43 characters). */
final class Secrets {

  static final String PREFIX = "ob-";
  /** How much of a secret a page shows: the marker and four characters, 24 bits an attacker learns. */
  static final int SHOWN = PREFIX.length() + 4;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
