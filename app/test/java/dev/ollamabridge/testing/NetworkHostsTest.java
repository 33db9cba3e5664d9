package dev.ollamabridge.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hosts as network namespaces: addressed, reachable from the root and from each other, cut and healed, removed. */
class NetworkHostsTest {

  private static final int FAKE_PORT = 11434;
  /** Short, so that a partition shows as a failed connect at once; generous enough for load 15 when healed. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

  @TempDir Path dir;

  private NetworkHosts hosts;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void closeHosts() {
    processes.forEach(Process::destroyForcibly);
    if (hosts == null && leftSomething()) {
      hosts = NetworkHosts.create("h1"); // a test that failed before its create leaves nothing for the next one
    }
    if (hosts != null) {
      hosts.close();
    }
  }

  /** Whether this fork's names exist; false where there is no ip command (the tests are skipped there). */
  private static boolean leftSomething() {
    try {
      return !NetworkHosts.leftovers().isEmpty();
    } catch (IllegalStateException noIpCommand) {
      return false;
    }
  }

  @Test
  void eachHostHasItsAddressInThisForksHalfWithARouteThroughTheBridge() {
    hosts = timed("create", () -> NetworkHosts.create("h1", "h2"));

    int base = (Integer.getInteger("ollamabridge.test.fork", 1) - 1) * 64;
    assertThat(hosts.rootAddress()).isEqualTo("198.18.0." + (base + 1));
    assertThat(hosts.host("h1").address()).isEqualTo("198.18.0." + (base + 2));
    assertThat(hosts.host("h2").address()).isEqualTo("198.18.0." + (base + 3));
    assertThat(inHost("h1", "ip", "-o", "addr", "show", "dev", "eth0")).contains("inet " + hosts.host("h1").address() + "/26");
    assertThat(inHost("h2", "ip", "route")).contains("default via " + hosts.rootAddress() + " dev eth0");
    assertThat(inHost("h2", "ip", "-o", "link", "show", "dev", "lo")).contains("UP");
    assertThat(hosts.addresses("h1")).containsExactly(hosts.host("h1").address());
    assertThat(hosts.spareAddress()).as("the block's highest, which only a 61st host would get").isEqualTo("198.18.0." + (base + 62));

    inHost("h1", "ip", "addr", "add", hosts.spareAddress() + "/32", "dev", "eth0");
    assertThat(hosts.addresses("h1")).containsExactly(hosts.host("h1").address(), hosts.spareAddress());
  }

  @Test
  void aBackendInOneHostAnswersTheRootAndTheOtherHost() throws Exception {
    hosts = NetworkHosts.create("h1", "h2");
    String backend = startFakeOllama("h1");

    assertThat(getFromRoot(backend + "/api/version")).contains("\"version\"");
    assertThat(getFromHost("h2", hosts.host("h1").address(), FAKE_PORT, "/api/version"))
        .as("h2 reaches h1 across the bridge (a FORWARD policy that drops, with br_netfilter loaded, would stop it)")
        .startsWith("HTTP/1.1 200").contains("\"version\"");
  }

  @Test
  void aPartitionStopsTrafficBothWaysUntilItIsHealed() throws Exception {
    hosts = NetworkHosts.create("h1");
    String backend = startFakeOllama("h1");
    try (ServerSocket root = new ServerSocket(0, 50, InetAddress.getByName(hosts.rootAddress()))) {
      Thread acceptor = new Thread(() -> answerEveryConnection(root), "root-listener");
      acceptor.setDaemon(true);
      acceptor.start();
      assertThat(connectFromHost("h1", hosts.rootAddress(), root.getLocalPort())).as("h1 reaches the root before").isTrue();

      hosts.partition("h1");

      assertThatThrownBy(() -> getFromRoot(backend + "/api/version")).isInstanceOf(IOException.class);
      assertThat(connectFromHost("h1", hosts.rootAddress(), root.getLocalPort())).as("h1 reaches the root while cut off").isFalse();

      hosts.heal("h1");

      await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .untilAsserted(() -> assertThat(getFromRoot(backend + "/api/version")).contains("\"version\""));
      await().atMost(Duration.ofSeconds(30))
          .until(() -> connectFromHost("h1", hosts.rootAddress(), root.getLocalPort()));
    }
  }

  @Test
  void closeKillsWhatRunsInTheHostsAndRemovesEveryNamespaceAndLink() throws Exception {
    hosts = NetworkHosts.create("h1", "h2");
    Process sleeper = new ProcessBuilder(hosts.command("h2", List.of("sleep", "600"))).start();
    processes.add(sleeper);
    assertThat(NetworkHosts.leftovers()).contains(NetworkHosts.PREFIX + "h1", NetworkHosts.PREFIX + "h2-r", NetworkHosts.PREFIX + "br");

    timed("close", () -> {
      hosts.close();
      return null;
    });

    assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).as("the process in h2 is gone").isTrue();
    assertThat(NetworkHosts.leftovers()).isEmpty();
  }

  @Test
  void createRemovesWhatAnEarlierRunOfThisForkLeft() throws Exception {
    NetworkHosts.assumeSupported();
    String stale = NetworkHosts.PREFIX + "stale";
    if (leftSomething()) {
      NetworkHosts.create("h1").close(); // a real leftover first (a suite killed on this machine): this test makes its own
    }
    run("ip", "netns", "add", stale);
    run("ip", "link", "add", NetworkHosts.PREFIX + "br", "type", "bridge");
    run("ip", "link", "add", stale + "-r", "master", NetworkHosts.PREFIX + "br", "type", "veth", "peer", "name", "eth0", "netns", stale);
    // started again while it is not running there: under heavy load the new namespace's file was once
    // not found for a moment; whether it runs there is read from /proc, not asked of ip (which once
    // answered nothing for a minute while three suites made and removed namespaces). nsenter only
    // joins the network namespace: `ip netns exec` also remounts /sys, which waited for a minute
    // under six busy cores while other forks made and removed namespaces
    java.util.concurrent.atomic.AtomicReference<Process> orphan = new java.util.concurrent.atomic.AtomicReference<>();
    Path orphanLog = dir.resolve("orphan.log");
    boolean orphanThere;
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        if (orphan.get() == null || !orphan.get().isAlive()) {
          orphan.set(new ProcessBuilder("nsenter", "--net=/run/netns/" + stale, "sleep", "600").redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(orphanLog.toFile())).start());
          processes.add(orphan.get());
        }
        return inNamespace(orphan.get().pid(), stale);
      });
      orphanThere = true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      orphanThere = false; // seen twice in a suite of many namespaces: /proc never showed it there
    }
    hosts = NetworkHosts.create("h1");

    assertThat(NetworkHosts.leftovers()).containsExactlyInAnyOrder(NetworkHosts.PREFIX + "h1", NetworkHosts.PREFIX + "h1-r",
        NetworkHosts.PREFIX + "br");
    Assumptions.assumeTrue(orphanThere, "the orphan was never seen in " + stale + " (it printed: "
        + (Files.exists(orphanLog) ? Files.readString(orphanLog) : "nothing") + "), so its end is not checked this time");
    assertThat(orphan.get().waitFor(10, TimeUnit.SECONDS)).as("the process left in the stale namespace is gone").isTrue();
  }

  /** Whether the process runs in the named namespace: its network namespace is the file ip keeps for it. */
  private static boolean inNamespace(long pid, String namespace) {
    try {
      return Files.getAttribute(Path.of("/proc", Long.toString(pid), "ns", "net"), "unix:ino")
          .equals(Files.getAttribute(Path.of("/run/netns", namespace), "unix:ino"));
    } catch (IOException | RuntimeException notThereYet) {
      return false;
    }
  }

  /** A fake-ollama in the host, listening on its address; its base URL once it says it listens. */
  private String startFakeOllama(String host) throws IOException {
    String address = hosts.host(host).address();
    Path log = dir.resolve("fake-" + host + ".log");
    Process fake = new ProcessBuilder(hosts.command(host, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.ollamabridge.Main", "fake-ollama", "--listen", address + ":" + FAKE_PORT)))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(fake);
    await().atMost(Duration.ofSeconds(60)).until(() -> !fake.isAlive() || Files.readString(log).contains("listening on"));
    assertThat(fake.isAlive()).as(Files.readString(log)).isTrue();
    return "http://" + address + ":" + FAKE_PORT;
  }

  private static String getFromRoot(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** An HTTP/1.0 GET from inside a host, through bash's {@code /dev/tcp} (no client to install). */
  private String getFromHost(String host, String address, int port, String path) throws Exception {
    return inHost(host, "timeout", "20", "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port
        + " && printf 'GET " + path + " HTTP/1.0\\r\\nHost: test\\r\\n\\r\\n' >&3 && cat <&3");
  }

  /** Whether a TCP connection from inside the host to this address opens within the connect timeout. */
  private boolean connectFromHost(String host, String address, int port) throws Exception {
    Process connect = new ProcessBuilder(hosts.command(host, List.of("timeout", String.valueOf(CONNECT_TIMEOUT.toSeconds()),
        "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port))).redirectErrorStream(true).start();
    connect.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(connect.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return connect.exitValue() == 0;
  }

  private static void answerEveryConnection(ServerSocket server) {
    while (!server.isClosed()) {
      try (Socket ignored = server.accept()) {
        // accepted: that is all a connect needs
      } catch (IOException closed) {
        return;
      }
    }
  }

  private String inHost(String host, String... argv) {
    List<String> command = hosts.command(host, List.of(argv));
    return run(command.toArray(String[]::new));
  }

  private static String run(String... argv) {
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(String.join(" ", argv) + ": " + output).isZero();
      return output;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs a step and prints how long it took, for the record (never asserted). */
  private static <T> T timed(String what, java.util.concurrent.Callable<T> step) {
    long start = System.nanoTime();
    try {
      return step.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      System.out.printf("NetworkHosts %s took %d ms%n", what, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
  }
}
