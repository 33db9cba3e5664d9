package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.Main;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
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
 * asks for, and after a kill -9 and a restart without the token adopts that bridge instead of starting
 * it again.
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
