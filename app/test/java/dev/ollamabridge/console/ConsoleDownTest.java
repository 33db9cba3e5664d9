package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.NetworkHosts;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data plane never needs the console: with the console killed (-9) under load, its nginx, the
 * edges' nginx on both hosts and the bridges on both hosts go on answering every request; a bridge
 * killed meanwhile is restarted by its agent from the last desired state; the console back, every
 * state reconciles without a duplicate.
 */
class ConsoleDownTest {

  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @TempDir Path data;
  private NetworkHosts net;
  private FakeOllama backend;
  private Process console;
  private ConsoleClient api;
  private final List<AgentProcess> agents = new ArrayList<>();
  private final List<String> phases = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final int apiPort = TestPorts.listenPort();
  private final int nginxPort = TestPorts.listenPort();
  private final int agentPort = TestPorts.listenPort();

  @AfterEach
  void stop() {
    Teardown.run(() -> {
      if (console != null) {
        console.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }, () -> agents.forEach(AgentProcess::close), this::stopAll, Teardown.closing(backend), Teardown.closing(net));
  }

  @Test
  void withTheConsoleKilledEveryRequestIsAnsweredACrashedBridgeIsRestartedAndTheConsoleReconcilesOnReturn()
      throws Exception {
    net = NetworkHosts.create("h1", "h2");
    backend = FakeOllama.start(FakeOllama.Options.defaults().withListen(new HostPort(net.rootAddress(), 0)));
    startConsole();
    api.patch("/settings", "{\"health.interval_ms\":300,\"health.rise\":2,\"health.fall\":3,\"nginx.rate_per_second\":100000,"
        + "\"first_port\":" + TestPorts.firstPort() + "}");
    for (String host : List.of("h1", "h2")) {
      ConsoleClient.Answer added = api.post("/hosts", "{\"name\":\"" + host + "\"}");
      agents.add(AgentProcess.joining(added.body().path("command").asText(), net.host(host).address(),
          data.resolve(host), net, host));
    }
    await().atMost(PATIENCE).untilAsserted(() -> {
      for (String host : List.of("h1", "h2")) {
        assertThat(api.get("/hosts/" + host).body().path("state").asText())
            .as(agents.stream().map(AgentProcess::output).toList().toString()).isEqualTo("Ready");
      }
    });
    for (String host : List.of("h1", "h2")) { // both hosts are edges too: their agents run nginx
      assertThat(api.patch("/hosts/" + host, "{\"edge\":true}").status()).isEqualTo(200);
    }
    long b1 = bridge("h1", "b1");
    long b2 = bridge("h2", "b2");
    // every nginx serves fake-llama in its routing by model (discovered on both) before anything is killed
    List<Path> configs = List.of(data.resolve("console/nginx/conf/nginx.conf"), data.resolve("h1/nginx/conf/nginx.conf"),
        data.resolve("h2/nginx/conf/nginx.conf"));
    await().atMost(PATIENCE).until(() -> configs.stream().allMatch(ConsoleDownTest::routesToBoth));
    long b1Pid = pid(b1);

    try (ChatLoad load = new ChatLoad(nginxPort, 50);
        ChatLoad h1Edge = new ChatLoad("http://" + net.host("h1").address() + ":" + nginxPort, 20);
        ChatLoad h2Edge = new ChatLoad("http://" + net.host("h2").address() + ":" + nginxPort, 20)) {
      load.awaitMore(20);
      phases.add("console killed at " + Instant.now());
      console.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9
      load.awaitMore(50);
      phases.add("b1 killed at " + Instant.now());
      ProcessHandle.of(b1Pid).orElseThrow().destroyForcibly(); // kill -9 a bridge while the console is away
      await().atMost(PATIENCE).until(() -> pidFile("h1", "b1").filter(pid -> pid != b1Pid)
          .flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false));
      long restarted = pidFile("h1", "b1").orElseThrow();
      phases.add("b1 restarted (pid file) at " + Instant.now());
      load.awaitMore(50);

      phases.add("console started at " + Instant.now());
      startConsole();
      await().atMost(PATIENCE).untilAsserted(() -> {
        for (String host : List.of("h1", "h2")) {
          JsonNode view = api.get("/hosts/" + host).body();
          assertThat(view.path("state").asText()).isEqualTo("Ready");
          assertThat(view.path("applied_revision").asLong()).isEqualTo(view.path("desired_revision").asLong());
        }
        assertThat(api.get("/instances/" + b1).body().at("/process/pid").asLong()).isEqualTo(restarted);
        assertThat(api.get("/instances/" + b1).body().at("/health/healthy").asBoolean()).isTrue();
        assertThat(api.get("/instances/" + b2).body().at("/health/healthy").asBoolean()).isTrue();
      });
      phases.add("console reconciled at " + Instant.now());
      assertThat(api.get("/events?limit=1000").body().path("events").findValuesAsText("action"))
          .as("a console that comes back leaves its hosts Ready while their agents find it again")
          .doesNotContain("host.not_ready");
      load.awaitMore(20);
      load.stop();
      h1Edge.stop();
      h2Edge.stop();
      assertThat(h1Edge.failures).as(() -> "requests through h1's edge that failed; " + whatHappened("h1"))
          .isEmpty();
      assertThat(h2Edge.failures).as(() -> "requests through h2's edge that failed; " + whatHappened("h2"))
          .isEmpty();
      System.out.printf("console away: %d requests through its nginx, %d and %d through the edges%n",
          load.answered.get(), h1Edge.answered.get(), h2Edge.answered.get());
      assertThat(load.failures).as(() -> "requests that failed while the console was away; nginx's error log ends "
          + tail(data.resolve("console/nginx/logs/error.log"), 30) + "\nthe console's output ends "
          + tail(data.resolve("console.out"), 60)).isEmpty();
    }
    assertThat(bridgesNamed("b1")).as("one b1, the one its agent restarted").hasSize(1);
    assertThat(bridgesNamed("b2")).hasSize(1);
  }

  /** The phases with their times, the edge's nginx error log and the servers of its config: what a failure needs. */
  private String whatHappened(String host) {
    Path nginx = data.resolve(host + "/nginx");
    String servers;
    try {
      servers = String.join("\n", Files.readString(nginx.resolve("conf/nginx.conf")).lines()
          .filter(line -> line.strip().startsWith("server ") || line.strip().startsWith("upstream ")).toList());
    } catch (IOException e) {
      servers = "(" + e + ")";
    }
    return String.join("; ", phases) + "\n" + host + "'s nginx error log ends " + tail(nginx.resolve("logs/error.log"), 40)
        + "\nits config's upstreams now:\n" + servers + "\nits agent's output ends "
        + lastLines(agents.get(host.equals("h1") ? 0 : 1).output(), 60);
  }

  private static String lastLines(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private void startConsole() throws IOException {
    List<String> argv = List.of(TestConsoles.THIS_JAVA, "-cp", System.getProperty("java.class.path"),
        "dev.ollamabridge.Main", "console", "--data", data.resolve("console").toString(), "--listen",
        "127.0.0.1:" + apiPort, "--nginx-listen", "127.0.0.1:" + nginxPort, "--agent-listen",
        new HostPort(net.rootAddress(), agentPort).toString(), "--bridge-java", TestConsoles.THIS_JAVA);
    console = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("console.out").toFile())).start();
    Path tokenFile = data.resolve("console/admin-token");
    await().atMost(PATIENCE).until(() -> Files.exists(tokenFile) && answers());
    api = new ConsoleClient(apiPort, Files.readString(tokenFile).strip());
  }

  private boolean answers() {
    try {
      return new ConsoleClient(apiPort, null).get("/api/v1/openapi.json").status() > 0;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private long bridge(String host, String name) {
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"" + name + "\",\"host\":\"" + host
        + "\",\"upstream_url\":\"" + backend.baseUrl() + "\"}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    long id = created.body().path("id").asLong();
    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode instance = api.get("/instances/" + id).body();
      assertThat(instance.at("/process/state").asText()).as(instance.toString()).isEqualTo("RUNNING");
      assertThat(instance.at("/health/healthy").asBoolean()).as(instance.toString()).isTrue();
    });
    return id;
  }

  private long pid(long id) {
    return api.get("/instances/" + id).body().at("/process/pid").asLong();
  }

  /** Whether this nginx config routes fake-llama to b1 and b2, both up; false while it is not (yet) written. */
  private static boolean routesToBoth(Path config) {
    try {
      return served(config, "b1") && served(config, "b2") && oneGroup(config, "b1", "b2");
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the config this nginx runs has the instance up. */
  private static boolean served(Path applied, String name) throws IOException {
    return Files.exists(applied) && Files.readString(applied).lines()
        .anyMatch(line -> line.endsWith("# " + name) && !line.contains(" down"));
  }

  private static String tail(Path file, int lines) {
    try {
      return lastLines(Files.readString(file), lines);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }

  /**
   * Whether nginx's routing by model sends the model to all these bridges: one {@code group_N}
   * upstream holds every one of them, up. Until each bridge's models are discovered, a model
   * routes only to the bridges known to serve it.
   */
  private static boolean oneGroup(Path applied, String... names) throws IOException {
    if (!Files.exists(applied)) {
      return false;
    }
    for (String block : Files.readString(applied).split("upstream ")) {
      if (block.startsWith("group_") && java.util.Arrays.stream(names).allMatch(name -> block.lines()
          .anyMatch(line -> line.endsWith("# " + name) && !line.contains(" down")))) {
        return true;
      }
    }
    return false;
  }

  /** The pid the host's agent wrote for the bridge. */
  private java.util.Optional<Long> pidFile(String host, String name) {
    try {
      return Files.readString(data.resolve(host + "/run/" + name + ".pid")).lines().filter(line -> line.startsWith("pid="))
          .map(line -> Long.parseLong(line.substring(4).strip())).findFirst();
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  /** Live bridge processes of that name on this test's hosts, whoever started them (from /proc: their command lines are long). */
  private List<Long> bridgesNamed(String name) throws IOException {
    List<Long> found = new ArrayList<>();
    try (var entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.filter(dir -> dir.getFileName().toString().matches("\\d+")).toList()) {
        try {
          List<String> args = List.of(new String(Files.readAllBytes(entry.resolve("cmdline"))).split("\u0000"));
          if (args.contains("-Dollamabridge.program=" + name) && args.contains("bridge")
              && args.stream().anyMatch(arg -> arg.startsWith("-Dollamabridge.data=" + data))) {
            found.add(Long.parseLong(entry.getFileName().toString()));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    return found;
  }

  /** What the console leaves running by design (its nginx, local bridges) goes with stop-all. */
  private void stopAll() throws Exception {
    Process stop = new ProcessBuilder(TestConsoles.THIS_JAVA, "-cp", System.getProperty("java.class.path"),
        "dev.ollamabridge.Main", "console", "stop-all", "--data", data.resolve("console").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("stop.out").toFile()))
        .start();
    stop.waitFor(60, TimeUnit.SECONDS);
  }
}
