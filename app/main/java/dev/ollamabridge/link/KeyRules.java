package dev.ollamabridge.link;

import java.util.List;

/**
 * The cluster's client keys, as every bridge enforces them: the console publishes this document to
 * its own bridges as a file ({@code bridge --client-keys-file PATH}, watched and re-read when it
 * changes) and to every other host in its {@link Desired} state, whose agent writes the same file for
 * its bridges. Only hashes travel: a key's secret is shown once, when it is made, and kept nowhere.
 *
 * @param required whether a request without a valid key is refused (401); false while the cluster has
 *     no key and {@code keys.required} is {@code auto}, or when it is {@code off}
 * @param keys every key a request may present, revoked ones left out (a revoked key is simply unknown)
 */
public record KeyRules(boolean required, List<KeyRule> keys) {

  /** The most keys one document carries: a bound on what a bridge or an agent reads and holds. */
  public static final int MAX_KEYS = 10_000;

  /** No key, none required: an open cluster. */
  public static final KeyRules OPEN = new KeyRules(false, List.of());

  public KeyRules {
    keys = keys == null ? List.of() : List.copyOf(keys);
  }
}
