package dev.ollamabridge.console.nginx;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.supervise.ProcessState;
import dev.ollamabridge.console.supervise.ProgramSpec;
import dev.ollamabridge.console.supervise.ProgramStatus;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's own nginx: a master process under the supervisor (so a console restart adopts
 * it), with its prefix, config, logs and temp files under {@code <data>/nginx}.
 *
 * <p>All of them are their owner's only, as the rest of the data directory: the console makes the
 * directories {@code 0700}, and runs nginx with the umask {@code 077}, so that what nginx creates
 * itself, at any time (its pid file, its logs, a log reopened after a rotation), is {@code 0600}
 * rather than nginx's {@code 0644}.
 */
public final class ManagedNginx implements NginxTarget {

  static final String PROGRAM = "nginx";
  private static final Logger log = LoggerFactory.getLogger(ManagedNginx.class);
  /** Sets the umask, then becomes the program given after it (same pid): a fixed script, its arguments passed as they are. */
  private static final List<String> OWNER_ONLY_UMASK = List.of("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\"");
  private static final List<String> DIRECTORIES = List.of("conf", "logs", "temp");

  private final String binary;
  private final Path prefix;
  private final Path config;
  private final Path staging;
  private final Path lastGood;
  private final Supervisor supervisor;
  private final Supplier<HostPort> listen;
  private final String program;
  private final List<String> globals;
  /** The address of the spec the supervisor has: where it checks a master it starts again. */
  private volatile HostPort supervisedAt;

  /** The console's own nginx: program {@code nginx}, its config's own globals only. */
  public ManagedNginx(String binary, Path prefix, Supervisor supervisor, Supplier<HostPort> listen) {
    this(binary, prefix, supervisor, listen, PROGRAM, null);
  }

  /**
   * @param program the supervisor's name for its master, which also names its pid file and log
   * @param globals main-context directives given with {@code -g} to every nginx command that runs the
   *     config ({@code nginx -t} and the master), e.g. {@code user root;} for a config that has no
   *     {@code user} line; null for none. A reload keeps the master's, as nginx does
   */
  public ManagedNginx(String binary, Path prefix, Supervisor supervisor, Supplier<HostPort> listen, String program,
      String globals) {
    this.binary = binary;
    this.prefix = prefix;
    this.config = prefix.resolve("conf/nginx.conf");
    this.staging = prefix.resolve("conf/nginx.conf.staging");
    this.lastGood = prefix.resolve("conf/nginx.conf.last-good");
    this.supervisor = supervisor;
    this.listen = listen;
    this.program = program;
    this.globals = globals == null ? List.of() : List.of("-g", globals);
  }

  @Override
  public void stage(String text) throws IOException {
    OwnerOnly.directory(prefix);
    for (String dir : DIRECTORIES) {
      OwnerOnly.directory(prefix.resolve(dir));
    }
    AtomicFiles.write(staging, text);
  }

  @Override
  public Commands.Outcome test() {
    List<String> test = new ArrayList<>(List.of("-t", "-p", prefix + "/", "-c", staging.toString()));
    test.addAll(globals);
    return Commands.run(nginx(test.toArray(String[]::new)));
  }

  @Override
  public void unstage() throws IOException {
    Files.deleteIfExists(staging);
  }

  @Override
  public void promote() throws IOException {
    if (Files.exists(config)) {
      AtomicFiles.copy(config, lastGood);
    }
    AtomicFiles.move(staging, config);
  }

  @Override
  public Commands.Outcome reload() {
    Optional<ProgramStatus> status = supervisor.status(program);
    boolean up = status.map(s -> s.state() == ProcessState.RUNNING || s.state() == ProcessState.STARTING).orElse(false);
    if (up) {
      return Commands.run(nginx("-s", "reload", "-p", prefix + "/", "-c", config.toString()));
    }
    status.ifPresent(s -> supervisor.remove(program).join());
    ProgramStatus started = supervisor.start(spec());
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (started.state() != ProcessState.RUNNING && Instant.now().isBefore(deadline)) {
      if (started.state() == ProcessState.FATAL) {
        break;
      }
      sleep();
      started = supervisor.status(program).orElse(started);
    }
    return started.state() == ProcessState.RUNNING
        ? new Commands.Outcome(0, "nginx master started (pid " + started.pid() + ")")
        : new Commands.Outcome(-1, "nginx did not start: " + started.state() + (started.message() == null ? "" : ", " + started.message())
            + tail(prefix.resolve("logs/error.log")));
  }

  @Override
  public void restoreLastGood() throws IOException {
    if (Files.exists(lastGood)) {
      AtomicFiles.copy(lastGood, config);
    } else {
      Files.deleteIfExists(config);
    }
  }

  @Override
  public String current() throws IOException {
    return Files.exists(config) ? Files.readString(config) : null;
  }

  /**
   * Adopts a master that a previous console left running, or starts one when there is a config; first
   * makes the prefix its owner's only, where an earlier console left it open to others.
   */
  public void startIfConfigured() {
    try {
      if (Files.isDirectory(prefix)) {
        OwnerOnly.tree(prefix);
      }
    } catch (IOException e) {
      log.warn("nginx: cannot make {} its owner's only: {}", prefix, e.toString());
    }
    if (Files.exists(config)) {
      supervisor.start(spec());
    }
  }

  /** Stops its master (SIGTERM: requests in flight finish) and forgets it; its files stay. */
  public void stop() {
    supervisor.remove(program).join();
  }

  /**
   * Whether the supervisor would check a master it starts again at {@code address}: not after a reload
   * moved nginx to another listen address, until the master is started anew.
   */
  public boolean supervisedAt(HostPort address) {
    return address.equals(supervisedAt);
  }

  private ProgramSpec spec() {
    HostPort address = listen.get();
    supervisedAt = address;
    String daemonOff = globals.isEmpty() ? "daemon off;" : "daemon off; " + globals.get(1);
    return new ProgramSpec(program, nginx("-p", prefix + "/", "-c", config.toString(), "-g", daemonOff),
        prefix, address.host(), address.port(), "http://" + address.dialAddress() + "/nginx-health");
  }

  /**
   * Has the managed nginx of this prefix reopen its logs (after one was moved aside), as
   * {@code nginx -s reopen} does; a failure is logged.
   */
  public static void reopenLogs(String binary, Path prefix) {
    reopened(Commands.run(command(binary, "-s", "reopen", "-p", prefix + "/", "-c",
        prefix.resolve("conf/nginx.conf").toString())));
  }

  /**
   * Has this nginx reopen its logs, as {@link #reopenLogs(String, Path)} does, with its globals: the
   * command reads the config as the master does (root's, without {@code user root;}, would need a user
   * {@code nobody}).
   */
  public void reopenLogs() {
    List<String> reopen = new ArrayList<>(List.of("-s", "reopen", "-p", prefix + "/", "-c", config.toString()));
    reopen.addAll(globals);
    reopened(Commands.run(nginx(reopen.toArray(String[]::new))));
  }

  private static void reopened(Commands.Outcome outcome) {
    if (!outcome.ok()) {
      log.warn("nginx did not reopen its logs: {}", outcome.output());
    }
  }

  /** nginx with these arguments, run with the umask 077. */
  private List<String> nginx(String... arguments) {
    return command(binary, arguments);
  }

  private static List<String> command(String binary, String... arguments) {
    List<String> argv = new ArrayList<>(OWNER_ONLY_UMASK);
    argv.add(binary);
    argv.addAll(List.of(arguments));
    return argv;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return lines.isEmpty() ? "" : "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
