package dev.ollamabridge.console.usage;

/** The instance whose bridge counted some usage, as the hourly rows name it. */
public record UsageSource(long instanceId, String instanceName, String host) {}
