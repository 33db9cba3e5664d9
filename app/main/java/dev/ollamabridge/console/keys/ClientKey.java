package dev.ollamabridge.console.keys;

import java.time.Instant;
import java.util.List;

/**
 * A client key as the console keeps it: never its secret, only the secret's hash and first characters.
 *
 * @param owner who holds it (a person, an app), or null
 * @param prefix the secret's first characters ({@code ob-AbCd}), shown so that its holder can tell it
 * @param models the models it may use: exact names or prefixes ending in {@code *}; empty for every model
 * @param requestsPerMinute 0 for no limit
 * @param tokensPerDay 0 for no limit
 * @param expiresAt null for never
 * @param revokedAt null while it may be used; a revoked key stays, so that usage keeps its name
 */
public record ClientKey(long id, String name, String owner, String sha256, String prefix, List<String> models,
    int requestsPerMinute, long tokensPerDay, Instant expiresAt, boolean enabled, Instant createdAt, Instant revokedAt) {

  public ClientKey {
    models = List.copyOf(models);
  }

  public boolean revoked() {
    return revokedAt != null;
  }

  /** Whether its expiry has passed at {@code now}. */
  public boolean expired(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }

  /** The prefix as pages show it: {@code ob-AbCd…}. */
  public String shownPrefix() {
    return prefix + "…";
  }

  /** Shows neither the hash nor the limits. */
  @Override
  public String toString() {
    return "ClientKey[id=" + id + ", name=" + name + "]";
  }
}
