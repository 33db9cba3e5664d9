package dev.ollamabridge.console.usage;

import java.time.LocalDate;

/** The whole cluster's usage of one UTC day. */
public record UsageDay(LocalDate day, UsageCounters counters) {}
