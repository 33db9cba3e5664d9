package dev.ollamabridge.link;

import java.util.List;

/**
 * One client key as the bridges enforce it.
 *
 * @param id the key's id in the console's database, as text: the {@code key} label of the bridges'
 *     usage metrics and the {@code key_id} of their request logs
 * @param name its name, as the request logs show it
 * @param sha256 the lowercase hex SHA-256 of the whole secret ({@code ob-…}); a 256-bit random
 *     secret needs no slower hash
 * @param models the models it may use: exact names, or a prefix ending in {@code *}; empty for every model
 * @param requestsPerMinute at most this many requests in a minute, 0 for no limit
 * @param tokensPerDay at most this many tokens (prompt and completion) in a UTC day, 0 for no limit
 * @param expiresAtEpochMs when it stops working, or null for never
 * @param enabled false for a key turned off for now (401, saying so), not revoked
 * @param internal the console's own key (model discovery): never limited, never counted as usage
 */
public record KeyRule(String id, String name, String sha256, List<String> models, int requestsPerMinute,
    long tokensPerDay, Long expiresAtEpochMs, boolean enabled, boolean internal) {

  public KeyRule {
    models = models == null ? List.of() : List.copyOf(models);
  }

  /** Shows neither the hash nor the limits' details: enough to tell keys apart in a log. */
  @Override
  public String toString() {
    return "KeyRule[id=" + id + ", name=" + name + "]";
  }
}
