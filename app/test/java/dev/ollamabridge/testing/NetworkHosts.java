package dev.ollamabridge.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Hosts for tests on one machine: each a Linux network namespace, joined to the root namespace by a
 * veth pair whose root end is a port of one bridge device, so that the root namespace (where the
 * console and its nginx run, listening on {@link #rootAddress()}) reaches every host and the hosts
 * reach each other and the root. Addresses come from 198.18.0.0/24, the range reserved for network
 * tests (RFC 2544), never a private or public one; each surefire fork ({@code ollamabridge.test.fork})
 * keeps to its quarter, .0/26, .64/26, .128/26 or .192/26, and to its own names ({@code obt1-…},
 * {@code obt2-…} …: the
 * netns {@code obt1-h1}, its root-side link {@code obt1-h1-r}, the bridge {@code obt1-br}).
 *
 * <p>Everything it makes is removed by {@link #close()} (processes still running in a namespace are
 * killed first), by a shutdown hook if the JVM ends first, and at the next {@link #create} of the same
 * fork if the JVM was killed. A lock file keeps two suites on one machine from taking the same fork's
 * names at once: the second waits for the first to close, and never removes what a live one holds.
 *
 * <p>Bridged traffic needs no forwarding between interfaces ({@code ip_forward} stays as it is); with
 * {@code br_netfilter} loaded it does pass iptables' FORWARD chain, which Debian leaves open, so a
 * machine whose FORWARD policy drops (Docker's) would show up as hosts that cannot reach each other.
 *
 * <p>Needs root and {@code ip} (iproute2): without them a test is skipped, or fails under CI.
 */
public final class NetworkHosts implements AutoCloseable {

  private static final int FORK = Integer.getInteger("ollamabridge.test.fork", 1);
  /** This fork's prefix of every namespace and link name. */
  public static final String PREFIX = "obt" + FORK + "-";
  private static final String BRIDGE = PREFIX + "br";
  /** A fork's block of 198.18.0.0/24: a quarter, so that up to four forks have one each. */
  private static final int BLOCK = 64;
  private static final int PREFIX_LENGTH = 26;
  /** Hosts are .2 to .62 of this fork's block; .1 is the bridge device's, .63 its broadcast address. */
  private static final int FIRST_OCTET = (FORK - 1) * BLOCK;
  private static final int MAX_HOSTS = BLOCK - 3;
  /** With the prefix and the root end's {@code -r}, a name stays within the kernel's 15 characters. */
  private static final Pattern HOST_NAME = Pattern.compile("[a-z][a-z0-9]{0,7}");
  private static final Duration LOCK_WAIT = Duration.ofMinutes(4);
  private static final Duration COMMAND_WAIT = Duration.ofSeconds(30);
  /** How often the processes of a namespace being removed are looked for and killed, at most. */
  private static final int KILL_ROUNDS = 20;
  /** How often what is left of this fork's hosts is removed again before giving up. */
  private static final int REMOVE_ROUNDS = 3;

  /** The one open set of hosts of this JVM, for the shutdown hook. */
  private static volatile NetworkHosts open;

  static {
    if (FORK < 1 || FORK > 256 / BLOCK) {
      throw new IllegalStateException("ollamabridge.test.fork must be 1 to " + 256 / BLOCK + ", not " + FORK);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      NetworkHosts hosts = open;
      if (hosts != null) {
        hosts.close();
      }
    }, "network-hosts-cleanup"));
  }

  /** One host: its name in the test, its namespace, the root end of its link, and its address. */
  public record Host(String name, String namespace, String rootLink, String address) {}

  private final String ip;
  private final FileChannel lockFile;
  private final FileLock lock;
  private final Map<String, Host> hosts;
  private boolean closed;

  private NetworkHosts(String ip, FileChannel lockFile, FileLock lock, Map<String, Host> hosts) {
    this.ip = ip;
    this.lockFile = lockFile;
    this.lock = lock;
    this.hosts = hosts;
  }

  /**
   * Namespaces for these hosts, each with {@code lo} up, its address on {@code eth0} and a default
   * route through the bridge, after removing what an earlier run of this fork left behind.
   */
  public static NetworkHosts create(String... hostNames) {
    String ip = requireSupport();
    Map<String, Host> hosts = new LinkedHashMap<>();
    for (String name : hostNames) {
      if (!HOST_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("host name '" + name + "' must be a lower-case letter, then up to 7 letters or digits");
      }
      if (hosts.size() == MAX_HOSTS) {
        throw new IllegalArgumentException("at most " + MAX_HOSTS + " hosts fit in a fork's block of 198.18.0.0/24");
      }
      String address = "198.18.0." + (FIRST_OCTET + 2 + hosts.size());
      if (hosts.putIfAbsent(name, new Host(name, PREFIX + name, PREFIX + name + "-r", address)) != null) {
        throw new IllegalArgumentException("host name '" + name + "' is given twice");
      }
    }
    if (open != null) {
      throw new IllegalStateException("this JVM holds network hosts already: close them before creating more");
    }
    FileChannel lockFile = null;
    try {
      lockFile = FileChannel.open(lockPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = waitForLock(lockFile);
      NetworkHosts created = new NetworkHosts(ip, lockFile, lock, hosts);
      open = created;
      try {
        created.removeLeftovers();
        created.build();
      } catch (RuntimeException | Error e) {
        created.close();
        throw e;
      }
      return created;
    } catch (IOException e) {
      closeQuietly(lockFile);
      throw new UncheckedIOException("cannot lock " + lockPath(), e);
    }
  }

  public Host host(String name) {
    Host host = hosts.get(name);
    if (host == null) {
      throw new IllegalArgumentException("no host '" + name + "': the hosts are " + hosts.keySet());
    }
    return host;
  }

  /** The bridge device's address: where the root namespace listens for the hosts. */
  public String rootAddress() {
    return "198.18.0." + (FIRST_OCTET + 1);
  }

  /**
   * An address of this fork's block that no host holds, for one that moves between hosts (a VRRP
   * virtual address): the highest, .62 in the first block, which {@link #create} hands out only to a
   * 61st host (the one above it is the block's broadcast address).
   */
  public String spareAddress() {
    if (hosts.size() == MAX_HOSTS) {
      throw new IllegalStateException("all " + MAX_HOSTS + " addresses of this fork's block are hosts'");
    }
    return "198.18.0." + (FIRST_OCTET + 1 + MAX_HOSTS);
  }

  /** The IPv4 addresses on the host's {@code eth0} now: its own, and any other a process in it added. */
  public List<String> addresses(String name) {
    return run(List.of(ip, "-n", host(name).namespace(), "-o", "-4", "addr", "show", "dev", "eth0")).lines()
        .map(line -> line.split("\\s+")).flatMap(words -> {
          int inet = List.of(words).indexOf("inet");
          return inet >= 0 && inet + 1 < words.length ? Stream.of(words[inet + 1].split("/", 2)[0]) : Stream.empty();
        }).toList();
  }

  /** {@code argv} as it runs in the host's namespace, for a {@link ProcessBuilder}. */
  public List<String> command(String name, List<String> argv) {
    List<String> command = new ArrayList<>(List.of(ip, "netns", "exec", host(name).namespace()));
    command.addAll(argv);
    return command;
  }

  /** Cuts the host off: its link is down, so nothing passes either way until {@link #heal}. */
  public void partition(String name) {
    run(List.of(ip, "link", "set", "dev", host(name).rootLink(), "down"));
  }

  public void heal(String name) {
    run(List.of(ip, "link", "set", "dev", host(name).rootLink(), "up"));
  }

  /** The namespaces and links of this fork's prefix that exist now. */
  public static List<String> leftovers() {
    String ip = findIp().orElseThrow(() -> new IllegalStateException("no ip command"));
    List<String> names = new ArrayList<>(namespaces(ip));
    names.addAll(links(ip));
    return names;
  }

  /** Kills what still runs in the namespaces, then removes them, their links and the bridge. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      removeLeftovers();
    } finally {
      if (open == this) {
        open = null;
      }
      try {
        lock.release();
      } catch (IOException e) {
        // released with the channel below
      }
      closeQuietly(lockFile);
    }
  }

  private void build() {
    StringBuilder root = new StringBuilder()
        .append("link add ").append(BRIDGE).append(" type bridge\n")
        .append("addr add ").append(rootAddress()).append("/").append(PREFIX_LENGTH).append(" dev ").append(BRIDGE).append('\n')
        .append("link set ").append(BRIDGE).append(" up\n");
    for (Host host : hosts.values()) {
      root.append("netns add ").append(host.namespace()).append('\n')
          .append("link add ").append(host.rootLink()).append(" type veth peer name eth0 netns ").append(host.namespace()).append('\n')
          .append("link set ").append(host.rootLink()).append(" master ").append(BRIDGE).append(" up\n");
    }
    run(List.of(ip, "-batch", "-"), root.toString());
    for (Host host : hosts.values()) {
      run(List.of(ip, "-n", host.namespace(), "-batch", "-"), "link set lo up\n"
          + "addr add " + host.address() + "/" + PREFIX_LENGTH + " dev eth0\n"
          + "link set eth0 up\n"
          + "route add default via " + rootAddress() + "\n");
    }
  }

  /**
   * Everything of this fork's prefix, whoever made it: this run, or one that crashed before; looked
   * at again and removed again while some is left, a few times (under heavy load one {@code ip -batch}
   * ran past its wait and left everything).
   */
  private void removeLeftovers() {
    List<String> left = leftovers();
    for (int round = 0; round < REMOVE_ROUNDS && !left.isEmpty(); round++) {
      removeOnce();
      left = leftovers();
    }
    if (!left.isEmpty()) {
      throw new IllegalStateException("could not remove " + left);
    }
  }

  private void removeOnce() {
    List<String> namespaces = namespaces(ip);
    for (String namespace : namespaces) {
      // again until none is left: a supervisor in there may start a process between a look and the kill
      // (one such bridge outlived its deleted namespace on a loaded run)
      for (int round = 0; round < KILL_ROUNDS; round++) {
        if (killProcessesIn(namespace) == 0) {
          break;
        }
      }
    }
    // the root end of a veth first (which takes its peer with it), the bridge last
    List<String> links = new ArrayList<>(links(ip));
    links.sort((a, b) -> Boolean.compare(a.equals(BRIDGE), b.equals(BRIDGE)));
    StringBuilder batch = new StringBuilder();
    links.forEach(link -> batch.append("link del ").append(link).append('\n'));
    namespaces.forEach(namespace -> batch.append("netns del ").append(namespace).append('\n'));
    if (batch.length() > 0) {
      try {
        run(List.of(ip, "-force", "-batch", "-"), batch.toString());
      } catch (IllegalStateException e) {
        // a veth that went with its namespace, say: what is left is what counts
      }
    }
  }

  /** Kills what runs in {@code namespace} and waits for it to end; answers how many it found. */
  private int killProcessesIn(String namespace) {
    List<ProcessHandle> processes = run(List.of(ip, "netns", "pids", namespace)).lines()
        .map(String::strip).filter(pid -> pid.matches("[0-9]{1,10}"))
        .map(pid -> ProcessHandle.of(Long.parseLong(pid))).flatMap(Optional::stream).toList();
    processes.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle process : processes) {
      try {
        process.onExit().get(COMMAND_WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("process " + process.pid() + " in " + namespace + " outlived kill -9", e);
      }
    }
    return processes.size();
  }

  private static List<String> namespaces(String ip) {
    return run(List.of(ip, "netns", "list")).lines()
        .map(line -> line.split(" ", 2)[0]).filter(name -> name.startsWith(PREFIX)).toList();
  }

  /** {@code ip -o link} lines read {@code 7: obt1-h1-r@if2: <…>}: the name, without its peer. */
  private static List<String> links(String ip) {
    return run(List.of(ip, "-o", "link", "show")).lines()
        .map(line -> line.split(": ", 3))
        .filter(parts -> parts.length == 3)
        .map(parts -> parts[1].split("@", 2)[0])
        .filter(name -> name.startsWith(PREFIX)).toList();
  }

  /** Skips the test where network hosts cannot be made (fails it under CI), as {@link #create} does. */
  public static void assumeSupported() {
    requireSupport();
  }

  private static String requireSupport() {
    Optional<String> ip = findIp();
    String missing = !"root".equals(System.getProperty("user.name")) ? "root (to make network namespaces)"
        : ip.isEmpty() ? "the ip command (Debian's iproute2)" : null;
    if (missing != null) {
      skipOrFail("network hosts need " + missing + "; .ci/run runs as root and installs iproute2");
    }
    return ip.orElseThrow();
  }

  /** Skips the test for want of a tool; fails it under CI ({@code CI} set), where the tool must be there. */
  static void skipOrFail(String why) {
    String ci = System.getenv("CI");
    if (ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false")) {
      Assertions.fail(why + "; CI=" + ci + " is set, where a missing tool is a failure");
    }
    Assumptions.abort(why);
  }

  private static Optional<String> findIp() {
    return executable("ip");
  }

  /** The program of that name on the {@code PATH}, or in the sbin directories, which a non-login root shell may lack. */
  static Optional<String> executable(String name) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
    return Stream.of(path.split(":")).filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable).map(Path::toString).findFirst();
  }

  private static Path lockPath() {
    Path dir = Files.isDirectory(Path.of("/run/lock")) ? Path.of("/run/lock") : Path.of(System.getProperty("java.io.tmpdir"));
    return dir.resolve("ollama-bridge-tests-" + PREFIX + "netns.lock");
  }

  /** This fork's names, once another suite on the machine that holds them has closed its hosts. */
  private static FileLock waitForLock(FileChannel channel) throws IOException {
    FileLock[] lock = {channel.tryLock()};
    if (lock[0] != null) {
      return lock[0];
    }
    await("another suite on this machine to close its " + PREFIX + "* network hosts").atMost(LOCK_WAIT)
        .pollInterval(Duration.ofMillis(500)).until(() -> (lock[0] = channel.tryLock()) != null);
    return lock[0];
  }

  private static String run(List<String> argv) {
    return run(argv, null);
  }

  /** Runs a command to its end; its output, or an exception that quotes it. */
  private static String run(List<String> argv, String input) {
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
      if (input != null) {
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(COMMAND_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", argv) + " took over " + COMMAND_WAIT.toSeconds() + " s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", argv) + " failed (" + process.exitValue() + "): " + output.strip()
            + (input != null ? "\ninput:\n" + input : ""));
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(String.join(" ", argv) + " did not start", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(String.join(" ", argv) + " was interrupted", e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing held
      }
    }
  }
}
