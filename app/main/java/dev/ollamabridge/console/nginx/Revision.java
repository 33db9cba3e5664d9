package dev.ollamabridge.console.nginx;

import java.time.Instant;

/**
 * One attempt to apply an nginx configuration.
 *
 * @param result {@code applied} (nginx serves it), {@code rejected} ({@code nginx -t} refused it;
 *     the old one kept serving) or {@code failed} (reload or check failed; the last good one was
 *     restored)
 * @param config the whole file; null in listings
 */
public record Revision(long id, Instant createdAt, String actor, String hash, String config, String testOutput,
    String result, String message) {

  public boolean applied() {
    return "applied".equals(result);
  }
}
