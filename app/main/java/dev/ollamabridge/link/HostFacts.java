package dev.ollamabridge.link;

/**
 * What an agent tells of itself and its machine in every report.
 *
 * @param version the agent's version
 * @param advertise the address its bridges are reached at
 * @param jdk the java its bridges run on, e.g. {@code 25.0.1 (Eclipse Adoptium)}
 * @param cores available processors
 * @param memoryBytes the machine's memory
 * @param memoryAvailableBytes what of it is available (MemAvailable)
 * @param diskFreeBytes free space where the agent keeps its data
 * @param startedEpochMs when the agent started
 */
public record HostFacts(String version, String advertise, String jdk, int cores, long memoryBytes,
    long memoryAvailableBytes, long diskFreeBytes, long startedEpochMs) {}
