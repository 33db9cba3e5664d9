package dev.ollamabridge.console.supervise;

import java.time.Instant;

/**
 * What the supervisor knows about one program at one moment.
 *
 * @param pid the process being watched; null when there is none (STOPPED, BACKOFF, EXITED, FATAL)
 * @param since when the program entered {@code state}
 * @param restarts how often the supervisor launched the program again on its own (retries after a
 *     failed start and automatic restarts after an exit) since the last start request
 * @param lastExitCode the exit code of the last process that ended; null when none ended yet or when
 *     it was an adopted process, whose exit code the operating system tells only its parent
 * @param message why the program is in this state, for people (e.g. the reason of a FATAL); may be null
 */
public record ProgramStatus(
    String name,
    ProcessState state,
    Long pid,
    Instant since,
    int restarts,
    Integer lastExitCode,
    String message) {}
