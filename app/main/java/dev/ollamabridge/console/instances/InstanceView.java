package dev.ollamabridge.console.instances;

import dev.ollamabridge.console.health.HealthState;
import dev.ollamabridge.console.metrics.Figures;
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
    Figures figures) {}
