package dev.ollamabridge.console.supervise;

import java.util.Optional;

/**
 * Finds the process an earlier supervisor launched for a program and left running: its pid file names a
 * live process that started at the recorded instant.
 */
final class Orphans {

  /** {@code answers}: whether it answered its health URL (or has none), so is adopted as RUNNING. */
  record Orphan(ProcessHandle process, boolean answers) {}

  private final PidFiles pidFiles;
  private final ReadinessProbe probe;

  Orphans(PidFiles pidFiles, ReadinessProbe probe) {
    this.pidFiles = pidFiles;
    this.probe = probe;
  }

  /** Waits up to the probe's timeout; a stale pid file is deleted on the way. */
  Optional<Orphan> find(ProgramSpec spec) {
    return pidFiles.liveProcess(spec.name()).map(process ->
        new Orphan(process, spec.healthUrl() == null || probe.answers(spec.healthUrl()).join()));
  }
}
