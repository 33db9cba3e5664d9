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

  /** Throws 401 unless the Authorization header carries one of the keys as a Bearer token. */
  void check(String authorization) {
    if (!required()) {
      return;
    }
    String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).strip() : "";
    byte[] presented = Sha256.of(token);
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(digest, presented);
    }
    if (!match || token.isEmpty()) {
      throw new ApiException(401, token.isEmpty()
          ? "this bridge needs a client key: send 'Authorization: Bearer <key>'"
          : "the client key is not valid for this bridge", null, "invalid_api_key");
    }
  }
}
