package dev.ollamabridge.console.keys;

import java.time.Instant;
import java.util.List;

/**
 * What a new key has, or what a change of one sets: each field null when it is not given (a new key
 * then takes its default, a change leaves it). The REST API and the Keys page both build one from
 * their input; {@link KeyService} checks it.
 *
 * @param expiresAt when the key stops working; see {@code neverExpires} to clear it
 * @param neverExpires true to clear the expiry (a change) or to make a key that never expires
 */
public record KeyChanges(String name, String owner, List<String> models, Long requestsPerMinute, Long tokensPerDay,
    Instant expiresAt, boolean neverExpires, Boolean enabled) {

  /** No change at all. */
  public static KeyChanges none() {
    return new KeyChanges(null, null, null, null, null, null, false, null);
  }

  public KeyChanges withEnabled(boolean on) {
    return new KeyChanges(name, owner, models, requestsPerMinute, tokensPerDay, expiresAt, neverExpires, on);
  }
}
