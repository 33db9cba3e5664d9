package dev.ollamabridge.console.nginx;

import java.time.Instant;

/**
 * One attempt to apply an nginx configuration.
 *
 * @param result {@code applied} (nginx serves it), {@code rejected} ({@code nginx -t} refused it;
 *     the old one kept serving) or {@code failed} (reload or check failed; the last good one was
 *     restored)
 * @param config the whole file; null in listings
 * @param cause why it was made, e.g. {@code weight b1 3→7 by web:admin; health: b2 down}: one line, bounded
 * @param automatic whether the console made it by itself (health checks, model discovery, its own
 *     start), not at someone's request
 * @param rollbackTo the revision whose text a rollback applied again; null for any other apply
 */
public record Revision(long id, Instant createdAt, String actor, String hash, String config, String testOutput,
    String result, String message, String cause, boolean automatic, Long rollbackTo) {

  public boolean applied() {
    return "applied".equals(result);
  }

  /** Whether this is a rollback to an earlier revision. */
  public boolean rollback() {
    return rollbackTo != null;
  }
}
