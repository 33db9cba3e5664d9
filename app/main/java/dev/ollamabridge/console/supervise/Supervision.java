package dev.ollamabridge.console.supervise;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/** What all programs of one {@link Supervisor} share. */
record Supervision(
    SupervisePolicy policy,
    Duration readyGrace,
    ScheduledExecutorService timers,
    ReadinessProbe probe,
    ProcessLauncher launcher,
    Orphans orphans,
    PidFiles pidFiles,
    ProgramLogs logs,
    Transitions transitions) {}
