package dev.ollamabridge.console.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process under watch: either launched by this supervisor, or adopted from a pid file. Only a
 * launched one has an exit code to tell, because the operating system gives it to the parent alone.
 *
 * <p>The end of an adopted process is found by looking every half second. The JDK's own
 * {@link ProcessHandle#onExit()} looks ever more rarely, up to every 5 s, and counts a zombie as alive:
 * where no init reaps orphans (some containers), an adopted program that died would never be seen to end.
 */
final class Child {

  private static final Logger log = LoggerFactory.getLogger(Child.class);
  private static final long ADOPTED_POLL_MILLIS = 500;

  private final Process launched;
  private final ProcessHandle handle;
  private final CompletableFuture<?> exit;
  private volatile boolean killed;

  private Child(Process launched, ProcessHandle handle, CompletableFuture<?> exit) {
    this.launched = launched;
    this.handle = handle;
    this.exit = exit;
  }

  static Child launched(Process process) {
    return new Child(process, process.toHandle(), process.onExit());
  }

  static Child adopted(ProcessHandle handle, ScheduledExecutorService timers) {
    CompletableFuture<Void> exit = new CompletableFuture<>();
    ScheduledFuture<?> poll = timers.scheduleWithFixedDelay(() -> {
      if (!isRunning(handle)) {
        exit.complete(null);
      }
    }, ADOPTED_POLL_MILLIS, ADOPTED_POLL_MILLIS, TimeUnit.MILLISECONDS);
    exit.whenComplete((ended, failure) -> poll.cancel(false));
    return new Child(null, handle, exit);
  }

  /** Alive and not a zombie: a process that has ended but was not reaped yet is gone for our purposes. */
  static boolean isRunning(ProcessHandle process) {
    return process.isAlive() && !isZombie(process.pid());
  }

  ProcessHandle handle() {
    return handle;
  }

  long pid() {
    return handle.pid();
  }

  boolean isAlive() {
    return launched != null ? launched.isAlive() : isRunning(handle);
  }

  CompletableFuture<?> onExit() {
    return exit;
  }

  /** The exit code once it has ended; null for an adopted process. */
  Integer exitCode() {
    return launched != null ? launched.exitValue() : null;
  }

  /** SIGTERM, to let the program shut down in its own way; SIGKILL if it still runs after {@code stopWait}. */
  void stop(Duration stopWait, ScheduledExecutorService timers) {
    handle.destroy();
    ScheduledFuture<?> kill = timers.schedule(() -> {
      if (isAlive()) {
        log.warn("pid {} still runs {} ms after SIGTERM; sending SIGKILL", pid(), stopWait.toMillis());
        kill();
      }
    }, stopWait.toMillis(), TimeUnit.MILLISECONDS);
    exit.whenComplete((ended, failure) -> kill.cancel(false));
  }

  /**
   * SIGKILL, to the whole tree: its children are listed first, as once the parent is gone they are no
   * longer found through it (supervisord's {@code killasgroup}).
   */
  private void kill() {
    killed = true;
    List<ProcessHandle> descendants = handle.descendants().toList();
    handle.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  boolean wasKilled() {
    return killed;
  }

  /** Linux tells a process's state in {@code /proc/<pid>/stat}, after the command name in parentheses. */
  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int afterName = stat.lastIndexOf(')') + 2;
      return afterName < stat.length() && "ZX".indexOf(stat.charAt(afterName)) >= 0;
    } catch (IOException | RuntimeException e) {
      return false; // no /proc here, or the process is gone: isAlive() has the say
    }
  }
}
