package dev.ollamabridge.console.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a program left behind when it died: the other processes of the session it led (it was
 * launched through {@code setsid}). nginx's workers outlive a master killed with SIGKILL, go on
 * holding its port, and a master started again could not listen; they are killed before it is.
 * Linux only ({@code /proc}); elsewhere nothing is found.
 */
final class SessionLeftovers {

  private static final Logger log = LoggerFactory.getLogger(SessionLeftovers.class);
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  private SessionLeftovers() {}

  /**
   * Kills the live processes of this user in the session {@code leader} led, started before now,
   * and waits (a while) until they are gone.
   */
  static void kill(String program, long leader) {
    Optional<String> user = ProcessHandle.current().info().user();
    if (user.isEmpty()) {
      return; // without knowing who we are, a process of someone else's could be taken
    }
    Instant now = Instant.now();
    List<ProcessHandle> leftovers;
    try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
      leftovers = all.filter(process -> process.pid() != leader && session(process.pid()) == leader)
          .filter(process -> process.info().user().equals(user))
          .filter(process -> process.info().startInstant().map(now::isAfter).orElse(false))
          .toList();
    }
    if (leftovers.isEmpty()) {
      return;
    }
    log.warn("{}: killing pid {}, left running by its ended pid {}", program,
        leftovers.stream().map(process -> Long.toString(process.pid())).toList(), leader);
    leftovers.forEach(ProcessHandle::destroyForcibly);
    Instant deadline = now.plus(PATIENCE);
    while (leftovers.stream().anyMatch(Child::isRunning) && Instant.now().isBefore(deadline)) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The session id in {@code /proc/<pid>/stat}: the fourth field after the command name in parentheses; -1 if unknown. */
  private static long session(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[3]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
