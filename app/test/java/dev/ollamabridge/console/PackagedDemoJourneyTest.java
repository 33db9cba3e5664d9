package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.testing.LeftoverProcesses;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first journey, from the packaged jar as it says to start it ({@code java -jar
 * target/ollama-bridge.jar console --demo}), on a data directory and ports of its own: the console
 * builds the bridges' class-data archive, the demo bridge runs with it, nginx is the console's own and
 * serves, and a chat through nginx answers. Everything the console started is killed afterwards.
 */
@Tag("packaged")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PackagedDemoJourneyTest {

  private static final Path JAR = Path.of("target", "ollama-bridge.jar");
  /** A training run writes the archive as its bridge exits: 3–8 s on an idle machine, minutes on a loaded one. */
  private static final Duration ARCHIVE_PATIENCE = Duration.ofMinutes(5);
  private static final Duration PATIENCE = Duration.ofSeconds(120);
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

  @TempDir Path dir;
  private Path data;
  private Process console;

  @AfterEach
  void stop() throws InterruptedException {
    try {
      if (console != null) {
        console.destroy();
        if (!console.waitFor(30, TimeUnit.SECONDS)) {
          console.destroyForcibly().waitFor();
        }
      }
    } finally {
      LeftoverProcesses.kill(data); // the console leaves its bridges and nginx running, by design
    }
  }

  @Test
  void theDemoAnswersAChatThroughTheConsolesNginxFromABridgeOnTheClassDataArchive() throws Exception {
    assertThat(JAR).as("mvn verify builds the jar before this test").isRegularFile();
    data = dir.resolve("data");
    int consolePort = TestPorts.listenPort();
    int nginxPort = TestPorts.listenPort();

    console = new ProcessBuilder(TestConsoles.THIS_JAVA, "-jar", JAR.toAbsolutePath().toString(), "console", "--demo",
        "--data", data.toString(), "--listen", "127.0.0.1:" + consolePort, "--nginx-listen", "127.0.0.1:" + nginxPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve("console.log").toFile()).start();
    ConsoleClient api = awaitConsole(consolePort);
    JsonNode demo = await().atMost(PATIENCE).until(() -> instanceNamed(api, "demo"), Optional::isPresent).orElseThrow();
    long id = demo.path("id").asLong();
    JsonNode built = await().atMost(ARCHIVE_PATIENCE).pollInterval(Duration.ofSeconds(1))
        .until(() -> api.get("/status").body().path("bridge_archive"), state -> state.path("state").asText().equals("ready"));
    Path archive = this.archive().orElseThrow();
    assertThat(built.path("file").asText()).as("the archive GET /status names").isEqualTo(archive.toString());
    assertThat(built.path("reason").isNull()).isTrue();
    // bridges started before the archive was there use it from their next start
    long before = awaitRunningAndHealthy(api, id, 0).at("/process/pid").asLong();
    assertThat(api.post("/instances/" + id + "/restart", "").status()).isEqualTo(200);
    long pid = awaitRunningAndHealthy(api, id, before).at("/process/pid").asLong();

    assertThat(commandLine(pid)).as("the demo bridge's command line")
        .containsAnyOf("-XX:AOTCache=" + archive, "-XX:SharedArchiveFile=" + archive);
    assertThat(api.get("/settings").body().path("nginx.mode").asText()).isEqualTo("managed");
    long nginxPid = Long.parseLong(Files.readString(data.resolve("nginx/nginx.pid")).strip());
    assertThat(ProcessHandle.of(nginxPid).map(ProcessHandle::isAlive)).as("the console's own nginx").contains(true);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(chatThroughNginx(nginxPort))
        .as("a chat through nginx").contains("\"done\":true").contains("\"role\":\"assistant\""));
    String upstream = demo.path("upstream_url").asText();
    assertThat(status(new Request.Builder().url(upstream + "/_fake/stats").build()))
        .as("the demo backend's test hooks").isEqualTo(404);
    assertThat(status(new Request.Builder().url(upstream + "/_fake/faults")
        .post(RequestBody.create("{\"down\":true}", MediaType.get("application/json"))).build()))
        .as("the demo backend cannot be taken down").isEqualTo(404);

    // Ctrl-C leaves the bridges and nginx running; stop-all, as the README says, stops them
    console.destroy();
    assertThat(console.waitFor(60, TimeUnit.SECONDS)).as("the console ends on SIGTERM").isTrue();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the bridge outlives the console").contains(true);
    Process stopAll = new ProcessBuilder(TestConsoles.THIS_JAVA, "-jar", JAR.toAbsolutePath().toString(), "console", "stop-all",
        "--data", data.toString()).redirectErrorStream(true).start();
    String said = new String(stopAll.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(stopAll.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(stopAll.exitValue()).as(said).isZero();
    assertThat(said).contains("Stopped nginx (pid ", "Stopped demo (pid " + pid + ")");
    assertThat(List.of(pid, nginxPid)).allMatch(each -> ProcessHandle.of(each).isEmpty()
        || !ProcessHandle.of(each).get().isAlive());
  }

  private ConsoleClient awaitConsole(int port) {
    Path token = data.resolve("admin-token");
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
      assertThat(console.isAlive()).as("the console is running; see %s", dir.resolve("console.log")).isTrue();
      return Files.exists(token)
          && new ConsoleClient(port, Files.readString(token).strip()).get("/status").status() == 200;
    });
    try {
      return new ConsoleClient(port, Files.readString(token).strip());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Optional<JsonNode> instanceNamed(ConsoleClient api, String name) {
    for (JsonNode instance : api.get("/instances").body()) {
      if (instance.path("name").asText().equals(name)) {
        return Optional.of(instance);
      }
    }
    return Optional.empty();
  }

  /** The instance, once it runs healthy in a process other than {@code notPid}. */
  private static JsonNode awaitRunningAndHealthy(ConsoleClient api, long id, long notPid) {
    return await().atMost(PATIENCE).until(() -> api.get("/instances/" + id).body(), instance ->
        instance.at("/process/state").asText().equals("RUNNING") && instance.at("/health/healthy").asBoolean()
            && instance.at("/process/pid").asLong() != notPid);
  }

  /** The archive the console built for its bridges, once it is in place (it is moved there whole). */
  private Optional<Path> archive() throws IOException {
    if (!Files.isDirectory(data.resolve("run"))) {
      return Optional.empty();
    }
    try (DirectoryStream<Path> archives = Files.newDirectoryStream(data.resolve("run"), "bridges-*.{aot,jsa}")) {
      for (Path archive : archives) {
        return Optional.of(archive);
      }
    }
    return Optional.empty();
  }

  /** The arguments of a process, from {@code /proc}, as the kernel has them. */
  private static List<String> commandLine(long pid) throws IOException {
    String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
    return List.of(raw.split("\0"));
  }

  private static String chatThroughNginx(int nginxPort) throws IOException {
    Request chat = new Request.Builder().url("http://127.0.0.1:" + nginxPort + "/api/chat")
        .post(RequestBody.create("{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hello\"}]}", MediaType.get("application/json"))).build();
    try (Response response = HTTP.newCall(chat).execute()) {
      String body = response.body().string();
      assertThat(response.code()).as(body).isEqualTo(200);
      return body;
    }
  }

  private static int status(Request request) throws IOException {
    try (Response response = HTTP.newCall(request).execute()) {
      return response.code();
    }
  }

}
