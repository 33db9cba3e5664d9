package dev.ollamabridge.console.edges;

import java.time.Instant;

/**
 * One edge as the nginx page and the API show it.
 *
 * @param local whether it is the console's own nginx
 * @param state {@code Ready} or {@code NotReady} (the host's state; the console's own is Ready)
 * @param listen where its nginx listens, {@code HOST:PORT} ({@code 0.0.0.0:PORT}: every address)
 * @param served the revision its nginx answers {@code /nginx-health} with, or null when it does not answer
 * @param servedRevisionId the console's record of that revision, or null when it has none (trimmed, or
 *     never applied here)
 * @param servedSince when it began to serve it, or null when unknown
 * @param current whether it serves the cluster's current revision
 * @param attempt its last apply attempt, or null before any
 * @param nginx the nginx binary and version it runs, or null when unknown
 */
public record EdgeRow(String host, boolean local, String state, String listen, String served, Long servedRevisionId,
    Instant servedSince, boolean current, Attempt attempt, String nginx) {

  /**
   * An apply attempt.
   *
   * @param result {@code applied}, {@code rejected} ({@code nginx -t} refused it) or {@code failed}
   * @param output {@code nginx -t}'s output, at most 8 KiB, or null
   */
  public record Attempt(String hash, String result, String message, String output, Instant at) {

    public boolean applied() {
      return "applied".equals(result);
    }
  }

  public boolean ready() {
    return state.equals("Ready");
  }

  /** Its last attempt was of this revision and nginx refused it, or it failed: it stays behind. */
  public boolean refused(String revision) {
    return attempt != null && revision.equals(attempt.hash()) && !attempt.applied();
  }
}
