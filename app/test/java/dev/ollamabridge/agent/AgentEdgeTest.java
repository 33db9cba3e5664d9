package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.Main;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.EdgeSpec;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An edge host end to end: the agent, in a process of its own against a console over real TLS, makes
 * its nginx serve the edge config of the console's desired state and says so in its reports; killed
 * and restarted while the console is away, it adopts that nginx from the desired state it kept, and
 * reports it serving when the console is back.
 */
class AgentEdgeTest {

  private static final Duration STARTUP = Duration.ofSeconds(120);

  @TempDir Path data;

  private final List<Process> agents = new ArrayList<>();
  private TlsTestConsole console;
  private String nginx;

  @BeforeEach
  void needNginx() {
    nginx = EdgeNginxTest.requireNginx();
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process agent : agents) {
      // dead before LeftoverProcesses kills its nginx, which it would otherwise start again
      agent.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    if (console != null) {
      console.close();
    }
  }

  @Test
  void anEdgeHostsAgentServesTheEdgeConfigReportsItAndAdoptsItsNginxAfterARestart() throws Exception {
    console = TlsTestConsole.start(data.resolve("console"), TestPorts.listenPort());
    int port = TestPorts.listenPort();
    console.desired = new Desired(TlsTestConsole.HOST, 1, List.of(),
        new EdgeSpec("rev-a", EdgeNginxTest.config("rev-a", port, ""), "127.0.0.1:" + port));

    Process first = agent("--join", console.token, "--ca-sha256", console.ca.fingerprint());
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
    agent();
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

  private Process agent(String... join) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "agent",
        "--console", console.url(), "--advertise", "127.0.0.1", "--data", data.toString(), "--nginx", nginx));
    command.addAll(List.of(join));
    Process agent = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("agent-" + agents.size() + ".log").toFile()))
        .start();
    agents.add(agent);
    return agent;
  }
}
