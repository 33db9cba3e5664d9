package dev.ollamabridge.console.alerts;

/**
 * One alert rule as the operator set it.
 *
 * @param threshold in the kind's unit; null for a kind without one
 * @param minutes how long the condition must hold before the alert fires (0: at once); null for a kind without
 */
public record Rule(AlertKind kind, boolean enabled, Double threshold, Integer minutes) {}
