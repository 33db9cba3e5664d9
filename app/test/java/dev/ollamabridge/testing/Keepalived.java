package dev.ollamabridge.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * keepalived (VRRP) in a test host's namespace, holding one virtual address with the other hosts
 * that run it with the same virtual router id: the live one of highest priority holds the address,
 * and a backup takes it (announcing it by gratuitous ARP) once the holder's adverts stop (a crash:
 * {@link #kill}, or a host cut off), or it says it leaves (a failing check, {@link #stop}).
 *
 * <p>Each runs in the foreground with its own files under its directory, never the system's:
 * {@code keepalived.conf} (0600, the name {@code .ci/run} looks for in what a suite left running),
 * its pid files under {@code run/} (which {@link LeftoverProcesses} kills after a test when the
 * directory is under a {@code @TempDir}), its check script and its log. It is killed by
 * {@link #close()}, by a shutdown hook if the JVM ends first, and with everything else in the
 * namespace when the hosts close.
 *
 * <p>No authentication: VRRP version 3 (RFC 5798) has none, and version 2's {@code auth_type PASS}
 * sent the password in clear to the same link it was meant to guard against. Check scripts run as
 * root under {@code enable_script_security}, which refuses a script that anyone but root could
 * change.
 */
public final class Keepalived implements AutoCloseable {

  /** The name of every config file this writes: what {@code .ci/run}'s leftover check matches. */
  public static final String CONFIG_NAME = "ollama-bridge-test-keepalived.conf";
  private static final Pattern INTERFACE = Pattern.compile("[a-z][a-z0-9]{0,14}");
  private static final Pattern TEST_ADDRESS = Pattern.compile("198\\.18\\.0\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])");
  /** What keepalived's config and our check script's path may hold unquoted: a @TempDir's path does. */
  private static final Pattern PLAIN_PATH = Pattern.compile("/[A-Za-z0-9/._-]{1,200}");
  private static final Pattern STATE = Pattern.compile("\\(edge\\) Entering ([A-Z]+) STATE");
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  /** What this JVM started and has not killed, for the shutdown hook. */
  private static final Set<Keepalived> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Keepalived::kill), "keepalived-cleanup"));
  }

  /**
   * One host's part in a VRRP instance (keepalived's {@code vrrp_instance edge}).
   *
   * @param interfaceName where the adverts go and the address is added, {@code eth0} in a test host
   * @param vip the virtual address, in 198.18.0.0/24 (the tests' range): {@link NetworkHosts#spareAddress()}
   * @param virtualRouterId 1–255, the same on every host of the instance
   * @param priority 1–254: the highest live one holds the address
   * @param preempt whether a host of higher priority takes the address back when it comes back
   *     (keepalived's default), or leaves it where it is ({@code nopreempt})
   * @param check a command run every second in the host; two failures in a row make the host leave
   *     (its priority 0), two successes bring it back; empty: no check
   */
  public record Vrrp(String interfaceName, String vip, int virtualRouterId, int priority, boolean preempt, List<String> check) {
    public Vrrp {
      if (!INTERFACE.matcher(interfaceName).matches()) {
        throw new IllegalArgumentException("interfaceName '" + interfaceName + "' must be a lower-case letter, then up to 14 letters or digits");
      }
      if (!TEST_ADDRESS.matcher(vip).matches()) {
        throw new IllegalArgumentException("vip '" + vip + "' must be an address of 198.18.0.0/24, the tests' range");
      }
      if (virtualRouterId < 1 || virtualRouterId > 255) {
        throw new IllegalArgumentException("virtualRouterId " + virtualRouterId + " must be 1 to 255");
      }
      if (priority < 1 || priority > 254) {
        throw new IllegalArgumentException("priority " + priority + " must be 1 to 254 (255 is an address owner's)");
      }
      check = List.copyOf(check);
      if (check.stream().anyMatch(word -> word.indexOf('\0') >= 0 || word.length() > 4096)) {
        throw new IllegalArgumentException("check words must be up to 4096 characters, without NUL");
      }
    }

    /** On {@code eth0}, with preemption and no check. */
    public static Vrrp on(String vip, int virtualRouterId, int priority) {
      return new Vrrp("eth0", vip, virtualRouterId, priority, true, List.of());
    }

    public Vrrp withoutPreempt() {
      return new Vrrp(interfaceName, vip, virtualRouterId, priority, false, check);
    }

    public Vrrp checking(List<String> command) {
      return new Vrrp(interfaceName, vip, virtualRouterId, priority, preempt, command);
    }
  }

  private final NetworkHosts hosts;
  private final String host;
  private final Vrrp vrrp;
  private final Path dir;
  private final Process process;

  private Keepalived(NetworkHosts hosts, String host, Vrrp vrrp, Path dir, Process process) {
    this.hosts = hosts;
    this.host = host;
    this.vrrp = vrrp;
    this.dir = dir;
    this.process = process;
  }

  /**
   * A check that {@code GET http://127.0.0.1:<port><path>} answers 200 within the check's timeout,
   * through bash's {@code /dev/tcp}: nothing to install on a host (no curl, no wget).
   */
  public static List<String> httpCheck(int port, String path) {
    if (port < 1 || port > 65535 || !path.matches("/[A-Za-z0-9/._-]{0,100}")) {
      throw new IllegalArgumentException("httpCheck takes a port 1–65535 and a plain path, not " + port + " " + path);
    }
    return List.of("/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + " && printf 'GET " + path
        + " HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == 'HTTP/1.'?' 200'* ]]");
  }

  /**
   * Starts keepalived in the host's namespace with its files under {@code dir} (made if missing; a
   * directory of the test's own, such as a {@code @TempDir}'s {@code keepalived-h1}), once its VRRP
   * process runs: it then takes or waits for the address by itself ({@link #holdsVip}, {@link #state}).
   */
  public static Keepalived start(NetworkHosts hosts, String host, Vrrp vrrp, Path dir) {
    String keepalived = NetworkHosts.executable("keepalived").orElse(null);
    if (keepalived == null) {
      NetworkHosts.skipOrFail("keepalived is not installed (Debian's keepalived); .ci/run installs it");
    }
    Path home = dir.toAbsolutePath().normalize();
    if (!PLAIN_PATH.matcher(home.toString()).matches()) {
      throw new IllegalArgumentException("dir '" + home + "' must be a plain path (letters, digits, / . _ -), to be written into keepalived's config");
    }
    hosts.host(host);
    try {
      Files.createDirectories(home.resolve("run"));
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
      Files.deleteIfExists(home.resolve("run/vrrp.pid"));
      if (!vrrp.check().isEmpty()) {
        writeOwnerOnly(home.resolve("check"), checkScript(vrrp.check()), "rwx------");
      }
      writeOwnerOnly(home.resolve(CONFIG_NAME), config(hosts.host(host).namespace(), vrrp, home), "rw-------");
      List<String> argv = List.of(keepalived, "--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--vrrp",
          "--use-file=" + home.resolve(CONFIG_NAME), "--pid=" + home.resolve("run/keepalived.pid"),
          "--vrrp_pid=" + home.resolve("run/vrrp.pid"), "--checkers_pid=" + home.resolve("run/checkers.pid"));
      Process process = new ProcessBuilder(hosts.command(host, argv)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("keepalived.log").toFile())).start();
      Keepalived started = new Keepalived(hosts, host, vrrp, home, process);
      RUNNING.add(started);
      try {
        await("keepalived's VRRP process in " + host).atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
            .until(() -> !process.isAlive() || started.vrrpProcess().isPresent());
        if (!process.isAlive()) {
          throw new IllegalStateException("keepalived in " + host + " ended (" + process.exitValue() + "): " + started.log());
        }
      } catch (RuntimeException | Error e) {
        started.close();
        throw e;
      }
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start keepalived in " + host, e);
    }
  }

  private static String config(String routerId, Vrrp vrrp, Path home) {
    StringBuilder config = new StringBuilder()
        .append("# Written by the tests' Keepalived fixture: one VRRP instance, no authentication (VRRPv3 has none)\n")
        .append("global_defs {\n")
        .append("  router_id ").append(routerId).append('\n')
        .append("  vrrp_version 3\n")
        .append("  enable_script_security\n")
        .append("  script_user root\n")
        .append("}\n");
    if (!vrrp.check().isEmpty()) {
      config.append("vrrp_script edge_check {\n")
          .append("  script \"").append(home.resolve("check")).append("\"\n")
          .append("  interval 1\n  timeout 2\n  fall 2\n  rise 2\n")
          .append("}\n");
    }
    config.append("vrrp_instance edge {\n")
        .append("  state BACKUP\n")
        .append("  interface ").append(vrrp.interfaceName()).append('\n')
        .append("  virtual_router_id ").append(vrrp.virtualRouterId()).append('\n')
        .append("  priority ").append(vrrp.priority()).append('\n')
        .append("  advert_int 1\n")
        .append(vrrp.preempt() ? "" : "  nopreempt\n")
        .append("  virtual_ipaddress {\n    ").append(vrrp.vip()).append(" dev ").append(vrrp.interfaceName()).append("\n  }\n");
    if (!vrrp.check().isEmpty()) {
      config.append("  track_script {\n    edge_check\n  }\n");
    }
    return config.append("}\n").toString();
  }

  /** The check as a script of its own, each word single-quoted: no quoting rules of keepalived's to get right. */
  private static String checkScript(List<String> check) {
    return "#!/bin/sh\nexec " + check.stream().map(word -> "'" + word.replace("'", "'\\''") + "'")
        .collect(Collectors.joining(" ")) + "\n";
  }

  private static void writeOwnerOnly(Path file, String text, String permissions) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** Whether the virtual address is on this host's interface now (after a {@link #kill}, it stays there). */
  public boolean holdsVip() {
    return hosts.addresses(host).contains(vrrp.vip());
  }

  /** The VRRP state it last entered ({@code MASTER}, {@code BACKUP}, {@code FAULT}), from its log; empty before the first. */
  public Optional<String> state() {
    Matcher matcher = STATE.matcher(log());
    String last = null;
    while (matcher.find()) {
      last = matcher.group(1);
    }
    return Optional.ofNullable(last);
  }

  public String host() {
    return host;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** What it logged so far. */
  public String log() {
    try {
      Path log = dir.resolve("keepalived.log");
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A crash: every process of it is stopped, then killed with SIGKILL, so that none says goodbye. (On
   * a SIGKILL of the parent alone its VRRP process, told by the kernel, leaves cleanly: priority 0,
   * address removed; and on one of the VRRP process alone the parent starts another.) The address
   * stays on the interface, as after a real crash: the backup's gratuitous ARP moves the traffic.
   */
  public void kill() {
    List<ProcessHandle> all = new ArrayList<>(process.toHandle().descendants().toList());
    all.add(0, process.toHandle());
    List<String> pids = all.stream().filter(ProcessHandle::isAlive).map(one -> String.valueOf(one.pid())).toList();
    if (!pids.isEmpty()) {
      List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "kill -STOP \"$@\"; kill -KILL \"$@\"", "kill"));
      argv.addAll(pids);
      try {
        new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
            .waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      } catch (IOException e) {
        // no shell: SIGKILL one by one below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      all.forEach(ProcessHandle::destroyForcibly);
    }
    awaitEnd(all);
  }

  /** SIGTERM: it leaves cleanly (an advert of priority 0, the address removed), so a backup takes over at once. */
  public void stop() {
    List<ProcessHandle> all = new ArrayList<>(process.toHandle().descendants().toList());
    all.add(0, process.toHandle());
    process.destroy();
    awaitEnd(all);
  }

  private void awaitEnd(List<ProcessHandle> all) {
    for (ProcessHandle one : all) {
      try {
        one.onExit().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("keepalived process " + one.pid() + " in " + host + " did not end", e);
      }
    }
    RUNNING.remove(this);
  }

  /** The VRRP process, once it runs: the one that sends adverts and adds the address. */
  private Optional<ProcessHandle> vrrpProcess() {
    try {
      Path pidFile = dir.resolve("run/vrrp.pid");
      String pid = Files.exists(pidFile) ? Files.readString(pidFile).strip() : "";
      return pid.matches("[0-9]{1,10}") ? ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Kills it if it still runs. */
  @Override
  public void close() {
    if (process.isAlive() || process.toHandle().descendants().findAny().isPresent()) {
      kill();
    }
    RUNNING.remove(this);
  }
}
