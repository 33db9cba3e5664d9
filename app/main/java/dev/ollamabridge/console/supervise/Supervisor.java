package dev.ollamabridge.console.supervise;

import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches programs and keeps them running with supervisord's semantics (see {@link ProcessState} and
 * {@link SupervisePolicy}), whatever command they run.
 *
 * <p>A program's stdout and stderr go straight into {@code <logDir>/<name>.log}, and its pid into
 * {@code <runDir>/<name>.pid}, so that it does not depend on this object: {@link #close()} stops
 * supervising and leaves the programs running, and a later supervisor on the same run directory adopts
 * them on {@link #start(ProgramSpec)} instead of launching them again. One whose pid file was never
 * written (the console died first) is found by the {@link ProgramSpec#markers() markers} on its command
 * line. Both directories and all files in them are readable by their owner only.
 *
 * <p>Thread-safe. Changes reach the {@link StateListener}s in the order they happened.
 */
public final class Supervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
  private static final Duration ROTATION_INTERVAL = Duration.ofSeconds(2);
  private static final Duration READY_GRACE = Duration.ofSeconds(30);

  private final ConcurrentMap<String, SupervisedProgram> programs = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor timers;
  private final ReadinessProbe probe;
  private final PidFiles pidFiles;
  private final ProgramLogs logs;
  private final Transitions transitions = new Transitions();
  private final Supervision supervision;
  private volatile boolean closed;

  /**
   * @param runDir where the pid files live; created if missing
   * @param logDir where the programs' logs live; created if missing
   * @param http the process's HTTP client, which readiness probes derive theirs from
   */
  public Supervisor(Path runDir, Path logDir, SupervisePolicy policy, OkHttpClient http) {
    this(runDir, logDir, policy, http, READY_GRACE);
  }

  /** {@code readyGrace}: how long past {@code startSecs} a process may take to answer its health URL. */
  Supervisor(Path runDir, Path logDir, SupervisePolicy policy, OkHttpClient http, Duration readyGrace) {
    Objects.requireNonNull(policy, "policy");
    this.probe = new ReadinessProbe(http);
    this.pidFiles = new PidFiles(createDirectories(runDir, "runDir"));
    this.logs = new ProgramLogs(createDirectories(logDir, "logDir"), policy.logMaxBytes(), policy.logBackups());
    AtomicInteger threads = new AtomicInteger();
    this.timers = new ScheduledThreadPoolExecutor(2, task -> {
      Thread thread = new Thread(task, "supervisor-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    timers.setRemoveOnCancelPolicy(true);
    this.supervision = new Supervision(policy, readyGrace, timers, probe,
        new ProcessLauncher(logs, pidFiles), new Orphans(pidFiles, probe), pidFiles, logs, transitions);
    timers.scheduleWithFixedDelay(this::rotateLogs,
        ROTATION_INTERVAL.toMillis(), ROTATION_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  public void addListener(StateListener listener) {
    transitions.addListener(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Starts a program without waiting for it: adopts the process an earlier supervisor left running when
   * its pid file still names it, or else when its command line carries the spec's markers (any other
   * process that carries them is stopped as a duplicate), otherwise launches one. A program that is
   * already active here keeps running; asking for it with a different spec is an error (stop it first).
   *
   * @return STARTING, RUNNING when adopted, or FATAL when its port is taken
   */
  public ProgramStatus start(ProgramSpec spec) {
    Objects.requireNonNull(spec, "spec");
    while (true) {
      ensureOpen();
      SupervisedProgram program = programs.computeIfAbsent(spec.name(), name -> new SupervisedProgram(name, supervision));
      try {
        return program.start(spec);
      } catch (SupervisedProgram.Retired e) {
        // a remove() retired it between its stop and forgetting it (a relaunch racing a create): a new one takes its place
        programs.remove(spec.name(), program);
      }
    }
  }

  /**
   * SIGTERM, then SIGKILL after {@code stopWait}; completes with the STOPPED status. A program that is not
   * running completes at once with its status; an unknown name fails with {@link NoSuchElementException}.
   */
  public CompletableFuture<ProgramStatus> stop(String name) {
    ensureOpen();
    return program(name).map(SupervisedProgram::stop).orElseGet(() -> unknown(name));
  }

  /** Stops the program, then starts it again with the same spec, whatever state it was in. */
  public CompletableFuture<ProgramStatus> restart(String name) {
    ensureOpen();
    return program(name)
        .map(program -> program.stop().thenApply(stopped -> program.start(program.spec())))
        .orElseGet(() -> unknown(name));
  }

  /**
   * Stops the program and forgets it, with its pid file; its logs stay. Unknown names complete at once.
   * Should a start of the same program slip in before the stop completes, that start wins.
   */
  public CompletableFuture<Void> remove(String name) {
    ensureOpen();
    return program(name).map(program -> program.stop().thenRun(() -> {
      if (program.retireIfIdle()) {
        programs.remove(name, program);
        pidFiles.delete(name);
      }
    })).orElseGet(() -> CompletableFuture.completedFuture(null));
  }

  public Optional<ProgramStatus> status(String name) {
    return program(name).map(SupervisedProgram::status);
  }

  /** All programs, by name. */
  public List<ProgramStatus> statuses() {
    return programs.values().stream()
        .map(SupervisedProgram::status)
        .sorted(Comparator.comparing(ProgramStatus::name))
        .toList();
  }

  /** Where the program's output goes, whether or not it has run yet. */
  public Path logFile(String name) {
    return logs.file(ProgramSpec.requireValidName(name));
  }

  /** The last {@code lines} lines of the program's current log file (rotating it first if it is due). */
  public List<String> tail(String name, int lines) {
    ProgramSpec.requireValidName(name);
    if (lines < 0) {
      throw new IllegalArgumentException("lines is " + lines + "; it must be 0 or more");
    }
    try {
      logs.rotateIfLarge(name);
      return logs.tail(name, lines);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the log of " + name + " (" + logs.file(name) + ")", e);
    }
  }

  /** Stops supervising, leaving the programs running for a later supervisor to adopt. Pending stops fail. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    programs.values().forEach(SupervisedProgram::detach);
    timers.shutdownNow();
    probe.close();
  }

  private Optional<SupervisedProgram> program(String name) {
    return Optional.ofNullable(programs.get(name));
  }

  private void rotateLogs() {
    for (String name : programs.keySet()) {
      try {
        logs.rotateIfLarge(name);
      } catch (IOException | RuntimeException e) {
        log.warn("{}: cannot rotate {}: {}", name, logs.file(name), e.toString());
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the supervisor is closed");
    }
  }

  private static <T> CompletableFuture<T> unknown(String name) {
    return CompletableFuture.failedFuture(new NoSuchElementException("no program named '" + name + "' is supervised"));
  }

  /** Owner-only, as the pid files and logs in them are nobody else's business. */
  private static Path createDirectories(Path directory, String role) {
    Objects.requireNonNull(directory, role);
    try {
      return OwnerOnly.directory(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + role + " " + directory + ": " + e.getMessage(), e);
    }
  }
}
