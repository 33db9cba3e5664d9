package dev.ollamabridge.console.instances;

import dev.ollamabridge.console.health.HealthState;
import dev.ollamabridge.console.metrics.Figures;
import dev.ollamabridge.console.supervise.ProcessState;
import dev.ollamabridge.console.supervise.ProgramStatus;

/**
 * An instance as the console shows it: its row, and what is known of it now.
 *
 * @param process the state of its bridge process; null for an external instance, which the console does not run
 * @param health the state of its health checks; null for a disabled instance, which is not checked
 * @param draining whether it is on its way out (marked down in nginx, about to stop)
 * @param figures its latest traffic figures from its bridge's metrics; null until scraped twice
 */
public record InstanceView(Instance instance, ProgramStatus process, HealthState health, boolean draining,
    Figures figures) {

  /**
   * Its health in one word: {@code healthy}; {@code unhealthy}; {@code starting} while its process
   * starts, and until a check made since it runs (a bridge not yet listening is no failure to show);
   * {@code checking} while a new instance passes but not yet often enough; {@code stopped} while its
   * process is stopped or stopping (not on its way out), whatever the last check said; {@code unchecked}
   * when disabled.
   */
  public String healthWord() {
    if (process != null && !draining
        && (process.state() == ProcessState.STOPPED || process.state() == ProcessState.STOPPING)) {
      return "stopped";
    }
    if (health == null) {
      return "unchecked";
    }
    if (health.healthy()) {
      return "healthy";
    }
    if (starting()) {
      return "starting";
    }
    return health.lastCheck() == null || health.failures() == 0 ? "checking" : "unhealthy";
  }

  /** Why its last check failed, unless that is only its process starting or stopped; null when it passed. */
  public String healthError() {
    String word = healthWord();
    return health == null || word.equals("starting") || word.equals("stopped") ? null : health.lastError();
  }

  private boolean starting() {
    if (process == null) {
      return false;
    }
    return process.state() == ProcessState.STARTING
        || process.state() == ProcessState.RUNNING && health.lastCheck() != null && health.lastCheck().isBefore(process.since());
  }
}
