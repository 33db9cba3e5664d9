package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.Main;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.EdgeSpec;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as users run it, in a process of its own against a console over real TLS: it joins with
 * the token and the CA's fingerprint, links with its client certificate, runs the bridge the console
 * asks for, after a kill -9 and a restart without the token adopts that bridge instead of starting it
 * again, and with the console away restarts the bridge when it crashes, reporting it when the console
 * is back; on an edge host, the same for its nginx.
 */
class AgentProcessTest {

  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final OkHttpClient HTTP = new OkHttpClient();

  @TempDir Path data;

  private final List<Process> agents = new ArrayList<>();
  private FakeOllama fake;
  private TlsTestConsole console;

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process agent : agents) {
      // dead before LeftoverProcesses kills its bridge, which it would otherwise start again
      agent.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    if (console != null) {
      console.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  @Test
  void anAgentJoinsRunsItsBridgeAndAdoptsItAfterAKill() throws Exception {
    fake = FakeOllama.start(FakeOllama.Options.defaults());
    console = TlsTestConsole.start(data.resolve("console"), TestPorts.listenPort());
    int port = TestPorts.listenPort();
    console.desired = new Desired(TlsTestConsole.HOST, 1, List.of(new BridgeSpec("chat",
        List.of("-l", "127.0.0.1:" + port, "--ollama", fake.baseUrl()), Map.of(), "127.0.0.1", port, true, true)));
    Path agentData = data; // its run/*.pid are LeftoverProcesses' to clean

    Process first = agent(agentData, "--join", console.token, "--ca-sha256", console.ca.fingerprint());
    JsonNode running = awaitRunning();
    long pid = running.path("programs").get(0).path("pid").asLong();
    assertThat(console.lastReport().path("applied").asLong()).isEqualTo(1);
    assertThat(models(port)).contains("fake-llama");
    assertThat(Files.getPosixFilePermissions(agentData.resolve("pki").resolve("agent.key"))).isEqualTo(OwnerOnly.FILE);
    assertThat(Files.getPosixFilePermissions(agentData.resolve(Reconciler.FILE))).isEqualTo(OwnerOnly.FILE);

    first.destroyForcibly().waitFor();
    int reportsBefore = console.reports.size();
    agent(agentData); // joined already: no token, no fingerprint

    JsonNode again = await().atMost(STARTUP).until(() -> console.reports.size() > reportsBefore
        ? console.lastReport() : null, report -> report != null && isRunning(report));
    assertThat(again.path("programs").get(0).path("pid").asLong()).as("adopted, not started again").isEqualTo(pid);
    assertThat(console.linkedAs).hasSize(2);

    // the console goes away, and the bridge crashes meanwhile: the agent starts it again on its own
    console.close();
    new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
    await().atMost(STARTUP).until(() -> bridgePids(agentData).size() == 1 && !bridgePids(agentData).contains(pid));
    await().atMost(STARTUP).ignoreExceptions().until(() -> models(port).contains("fake-llama"));
    long restarted = bridgePids(agentData).get(0);

    int reportsAway = console.reports.size();
    console.listen();
    JsonNode back = await().atMost(STARTUP).until(() -> console.reports.size() > reportsAway
        ? console.lastReport() : null, report -> report != null && isRunning(report));
    assertThat(back.path("programs").get(0).path("pid").asLong()).isEqualTo(restarted);
    assertThat(bridgePids(agentData)).as("no duplicate").containsExactly(restarted);
  }

  /**
   * An edge host: the agent makes its nginx serve the edge config of the desired state and says so in
   * its reports; killed and restarted while the console is away, it adopts that nginx from the desired
   * state it kept, and reports it serving when the console is back.
   */
  @Test
  void anEdgeHostsAgentServesTheEdgeConfigReportsItAndAdoptsItsNginxAfterARestart() throws Exception {
    String nginx = EdgeNginxTest.requireNginx();
    console = TlsTestConsole.start(data.resolve("console"), TestPorts.listenPort());
    int port = TestPorts.listenPort();
    console.desired = new Desired(TlsTestConsole.HOST, 1, List.of(),
        new EdgeSpec("rev-a", EdgeNginxTest.config("rev-a", port, ""), "127.0.0.1:" + port));

    Process first = agent(data, "--join", console.token, "--ca-sha256", console.ca.fingerprint());
    JsonNode serving = await().atMost(STARTUP).until(console::lastReport, report -> serves(report, "rev-a"));
    JsonNode edge = serving.path("edge");
    assertThat(edge.path("result").asText()).isEqualTo("applied");
    assertThat(edge.path("hash").asText()).isEqualTo("rev-a");
    assertThat(edge.path("servedSinceEpochMs").asLong()).isPositive();
    assertThat(edge.path("nginx").asText()).startsWith(nginx + " ");
    long master = masterPid(serving);

    first.destroyForcibly().waitFor();
    console.close(); // the console is away: the agent has only what it kept
    int reportsBefore = console.reports.size();
    agent(data);
    console.listen();

    JsonNode again = await().atMost(STARTUP).until(() -> console.reports.size() > reportsBefore
        ? console.lastReport() : null,
        report -> serves(report, "rev-a") && masterPid(report) > 0);
    assertThat(masterPid(again)).as("adopted, not started again").isEqualTo(master);
    assertThat(again.path("edge").path("message").asText()).isEqualTo("already serving");
  }

  /** Whether nginx served this revision at the report, and the agent had seen its apply through. */
  private static boolean serves(JsonNode report, String hash) {
    return report != null && hash.equals(report.path("edge").path("served").asText(null))
        && hash.equals(report.path("edge").path("hash").asText(null));
  }

  /** The edge nginx's master pid when it is RUNNING; 0 otherwise. */
  private static long masterPid(JsonNode report) {
    for (JsonNode program : report.path("programs")) {
      if (program.path("name").asText().equals(EdgeNginx.PROGRAM) && program.path("state").asText().equals("RUNNING")) {
        return program.path("pid").asLong();
      }
    }
    return 0;
  }

  /**
   * The live processes that carry this agent's markers for the bridge, from {@code /proc/<pid>/cmdline}
   * (the JDK's view of another process's arguments comes back empty for a command line this long).
   */
  private static List<Long> bridgePids(Path agentData) {
    List<String> markers = List.of("-Dollamabridge.data=" + agentData.toAbsolutePath().normalize(),
        "-Dollamabridge.program=chat");
    return ProcessHandle.allProcesses()
        .filter(process -> arguments(process.pid()).containsAll(markers))
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .toList();
  }

  private static List<String> arguments(long pid) {
    try {
      return List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
          StandardCharsets.UTF_8).split("\0"));
    } catch (IOException gone) {
      return List.of();
    }
  }

  private JsonNode awaitRunning() {
    return await().atMost(STARTUP).until(console::lastReport, report -> report != null && isRunning(report));
  }

  private static boolean isRunning(JsonNode report) {
    JsonNode programs = report.path("programs");
    return programs.size() == 1 && programs.get(0).path("state").asText().equals("RUNNING");
  }

  private Process agent(Path agentData, String... join) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "agent",
        "--console", console.url(), "--advertise", "127.0.0.1", "--data", agentData.toString()));
    command.addAll(List.of(join));
    Process agent = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("agent-" + agents.size() + ".log").toFile()))
        .start();
    agents.add(agent);
    return agent;
  }

  private static String models(int port) throws IOException {
    try (Response response = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/api/tags").build())
        .execute()) {
      return response.body().string();
    }
  }
}
