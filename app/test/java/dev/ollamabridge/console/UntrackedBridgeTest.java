package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A console killed between launching a bridge and writing its pid file: the bridge runs on, and the
 * restarted console must find it by its command line rather than report its port as taken.
 */
class UntrackedBridgeTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
  private ConsoleApp console;
  private ConsoleClient api;
  private ProcessHandle bridge;

  @BeforeEach
  void start() {
    console = startConsole();
    api = new ConsoleClient(console.port(), console.adminToken());
    api.patch("/settings", "{\"health.interval_ms\":300,\"health.rise\":2,\"health.fall\":3}");
  }

  @AfterEach
  void stop() {
    console.close();
    backend.close();
    // whatever the outcome, no bridge outlives the test to hold its port against the next one
    if (bridge != null && bridge.isAlive()) {
      bridge.destroyForcibly();
      await().atMost(PATIENCE).until(() -> !bridge.isAlive());
    }
  }

  @Test
  void aBridgeWhosePidFileWasNeverWrittenIsAdoptedByTheRestartedConsoleAndStoppedByDelete() throws Exception {
    JsonNode created = api.post("/instances",
        "{\"name\":\"kappa\",\"upstream_url\":\"" + backend.baseUrl() + "\"}").body();
    long id = created.path("id").asLong();
    long pid = awaitRunningAndHealthy(id).at("/process/pid").asLong();
    bridge = ProcessHandle.of(pid).orElseThrow();

    // as if kill -9 had landed between the launch and the pid file
    console.close();
    Files.delete(data.resolve("run").resolve("kappa.pid"));
    console = startConsole();
    api = new ConsoleClient(console.port(), api.token());

    JsonNode adopted = awaitRunningAndHealthy(id);
    assertThat(adopted.at("/process/pid").asLong()).as("the same bridge, not a second one").isEqualTo(pid);
    assertThat(adopted.at("/process/message").asText()).contains("command line");
    assertThat(data.resolve("run").resolve("kappa.pid")).content().contains("pid=" + pid);

    assertThat(api.delete("/instances/" + id + "?version=" + adopted.path("version").asLong()).status()).isEqualTo(204);
    assertThat(bridge.isAlive()).as("DELETE stops the adopted bridge").isFalse();
  }

  @Test
  void theMarkersThatFindABridgeAreTheConsolesOwnAndStayOutOfTheExportedSupervisorConf() throws Exception {
    JsonNode created = api.post("/instances",
        "{\"name\":\"lambda\",\"upstream_url\":\"" + backend.baseUrl() + "\"}").body();
    long pid = awaitRunningAndHealthy(created.path("id").asLong()).at("/process/pid").asLong();
    bridge = ProcessHandle.of(pid).orElseThrow();

    // the JDK may not tell another process's arguments, so read them where Linux keeps them
    List<String> argv = List.of(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
    assertThat(argv)
        .contains("-Dollamabridge.data=" + data.toAbsolutePath().normalize(), "-Dollamabridge.program=lambda");
    String export = exportedSupervisorConf();
    assertThat(export).contains("lambda").doesNotContain("ollamabridge.data").doesNotContain("ollamabridge.program");

    api.delete("/instances/" + created.path("id").asLong() + "?version=" + created.path("version").asLong());
  }

  private String exportedSupervisorConf() {
    // the export is text, not JSON: ask for it the way an operator's script would
    try (Response response = new OkHttpClient().newCall(new Request.Builder()
        .url("http://127.0.0.1:" + console.port() + "/api/v1/exports/supervisor.conf")
        .header("Authorization", "Bearer " + api.token()).build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode awaitRunningAndHealthy(long id) {
    await().atMost(PATIENCE).until(() -> {
      JsonNode instance = api.get("/instances/" + id).body();
      return instance.at("/process/state").asText().equals("RUNNING") && instance.at("/health/healthy").asBoolean();
    });
    return api.get("/instances/" + id).body();
  }

  private ConsoleApp startConsole() {
    return TestConsoles.start(data);
  }
}
