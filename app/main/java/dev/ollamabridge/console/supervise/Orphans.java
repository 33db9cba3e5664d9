package dev.ollamabridge.console.supervise;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds the process an earlier supervisor launched for a program and left running: its pid file names a
 * live process that started at the recorded instant, or, when no pid file does (the supervisor died
 * between launching it and writing the file), a live process of the same user carries the program's
 * {@link ProgramSpec#markers() markers} on its command line.
 */
final class Orphans {

  /**
   * @param answers whether it answered its health URL (or has none), so is adopted as RUNNING
   * @param byCommandLine found by its markers, as no pid file named it
   * @param duplicates other live processes that carry the program's markers, to be stopped once it is adopted
   */
  record Orphan(ProcessHandle process, boolean answers, boolean byCommandLine, List<ProcessHandle> duplicates) {}

  // the one started first was first to try the program's port, so is the likeliest to hold it
  private static final Comparator<ProcessHandle> OLDEST_FIRST = Comparator
      .comparing((ProcessHandle process) -> process.info().startInstant().orElse(Instant.MAX))
      .thenComparingLong(ProcessHandle::pid);

  private final PidFiles pidFiles;
  private final ReadinessProbe probe;

  Orphans(PidFiles pidFiles, ReadinessProbe probe) {
    this.pidFiles = pidFiles;
    this.probe = probe;
  }

  /** Waits up to the probe's timeout; a stale pid file is deleted on the way. */
  Optional<Orphan> find(ProgramSpec spec) {
    Optional<ProcessHandle> recorded = pidFiles.liveProcess(spec.name());
    List<ProcessHandle> marked = marked(spec.markers());
    return recorded.or(() -> marked.stream().findFirst()).map(process -> new Orphan(process,
        spec.healthUrl() == null || probe.answers(spec.healthUrl()).join(),
        recorded.isEmpty(),
        marked.stream().filter(other -> other.pid() != process.pid()).toList()));
  }

  /**
   * The live processes of this user whose command line holds every marker as a whole argument, oldest
   * first; not one whose parent is among them: that is the program's own child caught between its fork
   * and its exec (a shell's loop forks all the time), not a duplicate of it.
   */
  private static List<ProcessHandle> marked(List<String> markers) {
    if (markers.isEmpty()) {
      return List.of();
    }
    ProcessHandle self = ProcessHandle.current();
    Optional<String> user = self.info().user();
    if (user.isEmpty()) {
      return List.of(); // without knowing who we are, a process of someone else's could be taken
    }
    List<ProcessHandle> marked = ProcessHandle.allProcesses()
        .filter(process -> process.pid() != self.pid())
        .filter(process -> CommandLines.of(process).filter(argv -> argv.containsAll(markers)).isPresent())
        .filter(process -> process.info().user().equals(user))
        .filter(Child::isRunning)
        .toList();
    Set<Long> pids = marked.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
    return marked.stream()
        .filter(process -> process.parent().map(parent -> !pids.contains(parent.pid())).orElse(true))
        .sorted(OLDEST_FIRST)
        .toList();
  }
}
