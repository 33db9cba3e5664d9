package dev.ollamabridge.bridge;

import dev.ollamabridge.digest.Sha256;
import java.security.MessageDigest;
import java.util.List;

/**
 * The bridge's own client authentication ({@code --client-key}). Keys are compared as SHA-256
 * digests with {@link MessageDigest#isEqual}, against every key, so timing tells nothing.
 */
final class ClientKeys {

  private final List<byte[]> digests;

  ClientKeys(List<String> keys) {
    this.digests = keys.stream().map(Sha256::of).toList();
  }

  boolean required() {
    return !digests.isEmpty();
  }

  /** Whether {@code token} is one of the keys, compared against every one of them. */
  boolean matches(String token) {
    if (digests.isEmpty()) {
      return false; // no key to compare with, and so nothing to hash: a request pays for none
    }
    byte[] presented = Sha256.of(token == null ? "" : token);
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(digest, presented);
    }
    return match && token != null && !token.isEmpty();
  }
}
