package dev.ollamabridge.console.health;

import java.time.Instant;

/**
 * What the checks say of one instance. {@code healthy} only changes after {@code rise} passes or
 * {@code fall} failures in a row; a new instance starts down.
 *
 * @param lastStatus the HTTP status of the last check, 0 when nothing answered
 */
public record HealthState(
    boolean healthy, int passes, int failures, Instant lastCheck, int lastStatus, long latencyMillis, String lastError) {

  public static final HealthState NEW = new HealthState(false, 0, 0, null, 0, 0, null);

  /** The state after one more check. */
  HealthState next(boolean passed, int status, long latency, String error, HealthPolicy policy, Instant at) {
    int newPasses = passed ? passes + 1 : 0;
    int newFailures = passed ? 0 : failures + 1;
    boolean nowHealthy = healthy ? newFailures < policy.fall() : newPasses >= policy.rise();
    return new HealthState(nowHealthy, newPasses, newFailures, at, status, latency, error);
  }
}
