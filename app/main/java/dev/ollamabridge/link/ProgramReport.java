package dev.ollamabridge.link;

/**
 * One program as the agent's supervisor sees it: a {@code ProgramStatus} in the link's JSON.
 *
 * @param state a {@code ProcessState} name: STOPPED, STARTING, RUNNING, BACKOFF, STOPPING, EXITED, FATAL
 * @param sinceEpochMs when it entered that state
 */
public record ProgramReport(String name, String state, Long pid, long sinceEpochMs, int restarts,
    Integer lastExitCode, String message) {}
