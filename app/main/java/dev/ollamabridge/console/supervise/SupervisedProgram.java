package dev.ollamabridge.console.supervise;

import static dev.ollamabridge.console.supervise.ProcessState.BACKOFF;
import static dev.ollamabridge.console.supervise.ProcessState.EXITED;
import static dev.ollamabridge.console.supervise.ProcessState.FATAL;
import static dev.ollamabridge.console.supervise.ProcessState.RUNNING;
import static dev.ollamabridge.console.supervise.ProcessState.STARTING;
import static dev.ollamabridge.console.supervise.ProcessState.STOPPED;
import static dev.ollamabridge.console.supervise.ProcessState.STOPPING;
import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One program's life on supervisord's state graph: launch or adopt, wait until it is ready, back off and
 * retry failed starts, restart after an exit, stop with SIGTERM and then SIGKILL.
 *
 * <p>All fields are guarded by this object's monitor; each entry point delivers the changes it recorded
 * once the monitor is released. Callbacks (timers, process exits, probe answers) carry the {@link Child}
 * they were made for and are ignored once another child, or none, is current.
 */
final class SupervisedProgram {

  private static final Logger log = LoggerFactory.getLogger(SupervisedProgram.class);
  private static final long STARTUP_CHECK_MILLIS = 200;

  private final String name;
  private final Supervision supervision;
  private final SupervisePolicy policy;

  private volatile ProgramStatus status;
  private ProgramSpec spec;
  private Child child;
  private int failedStarts;
  private int restarts;
  private Integer lastExitCode;
  private long logSizeAtLaunch;
  private String abandonedBecause;
  private ScheduledFuture<?> timer;
  private CompletableFuture<ProgramStatus> stopped;
  private boolean detached;

  SupervisedProgram(String name, Supervision supervision) {
    this.name = name;
    this.supervision = supervision;
    this.policy = supervision.policy();
    this.status = new ProgramStatus(name, STOPPED, null, Instant.now(), 0, null, null);
  }

  /** Thrown by {@link #start} on a program no longer supervised (removed, or its supervisor closed). */
  static final class Retired extends IllegalStateException {
    Retired(String name) {
      super("program '" + name + "' is no longer supervised");
    }
  }

  ProgramStatus status() {
    return status;
  }

  synchronized ProgramSpec spec() {
    return spec;
  }

  ProgramStatus start(ProgramSpec requested) {
    // looked for outside the lock, as asking an orphan whether it answers takes a moment
    Optional<Orphans.Orphan> orphan =
        isActive(status.state()) ? Optional.empty() : supervision.orphans().find(requested);
    try {
      synchronized (this) {
        if (detached) {
          throw new Retired(name);
        }
        if (isActive(status.state())) {
          if (!requested.equals(spec)) {
            throw new IllegalStateException("program '" + name + "' is " + status.state()
                + " with another spec; stop it before changing how it runs");
          }
          return status;
        }
        spec = requested;
        restarts = 0;
        failedStarts = 0;
        orphan.ifPresentOrElse(this::adopt, this::launch);
        return status;
      }
    } finally {
      supervision.transitions().deliver();
    }
  }

  CompletableFuture<ProgramStatus> stop() {
    try {
      synchronized (this) {
        ProcessState state = status.state();
        if (state == STOPPING) {
          return stopped.copy();
        }
        if (state == STARTING || state == RUNNING) {
          cancelTimer();
          stopped = new CompletableFuture<>();
          move(STOPPING, null);
          child.stop(policy.stopWait(), supervision.timers());
          return stopped.copy();
        }
        if (state == BACKOFF) {
          cancelTimer();
          move(STOPPED, null);
        }
        return CompletableFuture.completedFuture(status);
      }
    } finally {
      supervision.transitions().deliver();
    }
  }

  /** Stops supervising for good if nothing runs; the caller then forgets this program. */
  synchronized boolean retireIfIdle() {
    if (isActive(status.state())) {
      return false;
    }
    detached = true;
    return true;
  }

  /** Stops supervising and leaves the process, if any, running for a later supervisor to adopt. */
  void detach() {
    CompletableFuture<ProgramStatus> stopRequest;
    synchronized (this) {
      detached = true;
      cancelTimer();
      stopRequest = stopped;
      stopped = null;
    }
    if (stopRequest != null) {
      stopRequest.completeExceptionally(
          new CancellationException("the supervisor was closed before '" + name + "' had stopped"));
    }
  }

  private void adopt(Orphans.Orphan orphan) {
    child = Child.adopted(orphan.process(), supervision.timers());
    if (orphan.byCommandLine()) {
      writePidFile(child);
    }
    supervision.logs().makeOwnerOnly(name);
    logSizeAtLaunch = supervision.logs().size(name);
    watch(child);
    String how = "adopted: launched earlier" + (orphan.byCommandLine() ? ", found by its command line" : "");
    String duplicates = stopDuplicates(orphan.duplicates());
    if (orphan.answers()) {
      move(RUNNING, how + " and still running" + duplicates);
    } else {
      beginStarting(how + ", not answering yet" + duplicates);
    }
  }

  /** Left by consoles that each died before writing the pid file; only one of them can hold the port. */
  private String stopDuplicates(List<ProcessHandle> duplicates) {
    if (duplicates.isEmpty()) {
      return "";
    }
    String pids = duplicates.stream().map(duplicate -> Long.toString(duplicate.pid()))
        .collect(Collectors.joining(", "));
    log.warn("{}: stopping pid {}, which carries its command line as well: a duplicate", name, pids);
    duplicates.forEach(duplicate ->
        Child.adopted(duplicate, supervision.timers()).stop(policy.stopWait(), supervision.timers()));
    return "; stopping its duplicate pid " + pids;
  }

  private void writePidFile(Child current) {
    try {
      supervision.pidFiles().write(name, current.handle());
    } catch (IOException e) {
      log.warn("{}: cannot write its pid file ({}); a restarted console will look for it by its command line",
          name, e.toString());
    }
  }

  private void launch() {
    cancelTimer();
    Optional<String> portProblem = PortCheck.problem(spec.host(), spec.port());
    if (portProblem.isPresent()) {
      supervision.pidFiles().delete(name);
      move(FATAL, portProblem.get());
      return;
    }
    logSizeAtLaunch = supervision.logs().size(name);
    try {
      child = supervision.launcher().launch(spec);
    } catch (IOException e) {
      move(STARTING, "launching " + spec.command().get(0));
      failStart("could not launch " + spec.command().get(0) + ": " + e.getMessage(), false);
      return;
    }
    watch(child);
    beginStarting(null);
  }

  private void beginStarting(String message) {
    Child current = child;
    StartupCheck startup =
        new StartupCheck(spec.healthUrl(), policy.startSecs(), supervision.readyGrace(), supervision.probe());
    abandonedBecause = null;
    timer = supervision.timers().scheduleWithFixedDelay(
        () -> checkStartup(current, startup), 0, STARTUP_CHECK_MILLIS, MILLISECONDS);
    move(STARTING, message);
  }

  private void checkStartup(Child current, StartupCheck startup) {
    onTimer("checking its start", () -> {
      if (current != child || status.state() != STARTING || abandonedBecause != null) {
        return;
      }
      switch (startup.check()) {
        case READY -> {
          cancelTimer();
          failedStarts = 0;
          move(RUNNING, null);
        }
        case TOO_LATE -> abandon(current, startup.whyTooLate());
        case WAITING -> { }
      }
    });
  }

  /** A start that never got ready is ended like a stop; its exit then counts as a failed start. */
  private void abandon(Child current, String reason) {
    cancelTimer();
    abandonedBecause = reason;
    log.warn("{}: {}; stopping it", name, reason);
    current.stop(policy.stopWait(), supervision.timers());
  }

  private void exited(Child ended) {
    CompletableFuture<ProgramStatus> stopRequest = null;
    ProgramStatus stoppedStatus = null;
    try {
      synchronized (this) {
        if (detached || ended != child) {
          return;
        }
        child = null;
        cancelTimer();
        SessionLeftovers.kill(name, ended.pid());
        lastExitCode = ended.exitCode();
        supervision.pidFiles().delete(name);
        String how = lastExitCode == null
            ? "exited (exit code unknown: it was adopted)"
            : "exited with code " + lastExitCode;
        switch (status.state()) {
          case STOPPING -> {
            move(STOPPED, ended.wasKilled() ? "killed: it did not stop within " + seconds(policy.stopWait())
                + " of SIGTERM" : null);
            stopRequest = stopped;
            stopped = null;
            stoppedStatus = status;
          }
          case STARTING ->
              failStart(abandonedBecause != null ? abandonedBecause : how + " before it was running", true);
          case RUNNING -> {
            move(EXITED, how);
            if (policy.autorestart()) {
              restarts++;
              launch();
            }
          }
          default -> log.warn("{}: a process ended while {}", name, status.state());
        }
      }
    } catch (RuntimeException e) {
      log.error("{}: handling its exit failed", name, e);
    } finally {
      supervision.transitions().deliver();
    }
    if (stopRequest != null) {
      stopRequest.complete(stoppedStatus);
    }
  }

  private void failStart(String reason, boolean withLogLine) {
    failedStarts++;
    String why = !withLogLine ? reason : reason + supervision.logs().lastLineSince(name, logSizeAtLaunch)
        .map(line -> "; last log line: " + line).orElse("");
    if (failedStarts > policy.startRetries()) {
      move(BACKOFF, why);
      move(FATAL, "gave up after " + failedStarts + (failedStarts == 1 ? " attempt: " : " attempts: ") + why);
    } else {
      long delay = Math.round(policy.backoffAfter(failedStarts).toMillis()
          * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
      // first, so that a message cut for its length still says when the next try comes
      move(BACKOFF, "retry " + failedStarts + " of " + policy.startRetries() + " in " + delay + " ms: " + why);
      timer = supervision.timers().schedule(this::retry, delay, MILLISECONDS);
    }
  }

  private void retry() {
    onTimer("retrying its start", () -> {
      if (status.state() == BACKOFF) {
        timer = null;
        restarts++;
        launch();
      }
    });
  }

  /** Runs a timer's work under the lock unless supervision ended, then delivers what changed. */
  private void onTimer(String work, Runnable action) {
    try {
      synchronized (this) {
        if (!detached) {
          action.run();
        }
      }
    } catch (RuntimeException e) {
      log.error("{}: {} failed", name, work, e);
    } finally {
      supervision.transitions().deliver();
    }
  }

  private void watch(Child current) {
    // on a timer thread, not the JDK's process reaper, and never inside the caller's lock
    current.onExit().thenRunAsync(() -> exited(current), supervision.timers());
  }

  private void move(ProcessState state, String message) {
    ProgramStatus from = status;
    ProgramStatus to = new ProgramStatus(name, state, child == null ? null : child.pid(), Instant.now(),
        restarts, lastExitCode, message);
    status = to;
    supervision.transitions().record(from, to);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private static boolean isActive(ProcessState state) {
    return state == STARTING || state == RUNNING || state == BACKOFF || state == STOPPING;
  }

  static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() / 1000.0 + " s";
  }
}
