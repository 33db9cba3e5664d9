package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Instances with real bridge processes: started, checked, killed, restarted, adopted, removed. */
class ConsoleLifecycleTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4).withControlRoutes(true));
  private ConsoleApp console;
  private ConsoleClient api;

  @BeforeEach
  void start() {
    console = startConsole();
    api = new ConsoleClient(console.port(), console.adminToken());
    // quick checks keep the test short; the semantics are the seed's
    api.patch("/settings", "{\"health.interval_ms\":300,\"health.rise\":2,\"health.fall\":3}");
  }

  @AfterEach
  void stop() {
    for (JsonNode instance : api.get("/instances").body()) {
      api.delete("/instances/" + instance.path("id").asLong() + "?version=" + instance.path("version").asLong());
    }
    console.close();
    backend.close();
  }

  @Test
  void aNewInstanceRunsAndTurnsHealthyAndServesRequests() {
    JsonNode created = create("alpha");

    JsonNode running = awaitRunningAndHealthy(created.path("id").asLong());

    assertThat(running.at("/process/pid").asLong()).isPositive();
    String answer = chat(created.path("port").asInt());
    assertThat(answer).contains("\"done\":true");
    assertThat(api.get("/instances/" + created.path("id").asLong() + "/logs?tail=50").body().path("lines").toString())
        .contains("listening on http://127.0.0.1:" + created.path("port").asInt());
  }

  @Test
  void aKilledBridgeIsRestartedWithANewPid() throws Exception {
    long id = create("beta").path("id").asLong();
    long pid = awaitRunningAndHealthy(id).at("/process/pid").asLong();

    kill9(pid);

    await().atMost(PATIENCE).until(() -> {
      JsonNode process = api.get("/instances/" + id).body().path("process");
      return process.path("state").asText().equals("RUNNING") && process.path("pid").asLong() != pid;
    });
    JsonNode process = api.get("/instances/" + id).body().path("process");
    assertThat(process.path("restarts").asInt()).isPositive();
    assertThat(api.get("/events?target=beta").body().toString()).contains("process.exited");
  }

  @Test
  void aBridgeKilledAgainWhileStartingBacksOffAndGoesFatal() throws Exception {
    long id = create("theta").path("id").asLong();
    long pid = awaitRunningAndHealthy(id).at("/process/pid").asLong();
    java.util.Set<Long> killed = new java.util.HashSet<>();

    // the policy allows 1 + startretries (3) starts in a row; each dies before startsecs
    while (!api.get("/instances/" + id).body().at("/process/state").asText().equals("FATAL")) {
      if (killed.add(pid)) {
        kill9(pid);
      }
      long dead = pid;
      await().atMost(PATIENCE).until(() -> {
        JsonNode process = api.get("/instances/" + id).body().path("process");
        return process.path("state").asText().equals("FATAL")
            || (process.path("state").asText().equals("STARTING") && process.path("pid").asLong() > 0
                && process.path("pid").asLong() != dead);
      });
      pid = api.get("/instances/" + id).body().at("/process/pid").asLong();
    }

    assertThat(killed).hasSize(5); // the running one, then four quick failures
    // an event is recorded just after the state it tells of
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(
        api.get("/events?target=theta").body().path("events").findValuesAsText("action")).contains("process.backoff", "process.fatal"));
  }

  @Test
  void stopStartAndRestartDoWhatTheySay() {
    long id = create("gamma").path("id").asLong();
    long pid = awaitRunningAndHealthy(id).at("/process/pid").asLong();

    JsonNode stopped = api.post("/instances/" + id + "/stop", "").body();
    assertThat(stopped.path("state").asText()).isEqualTo("STOPPED");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

    api.post("/instances/" + id + "/start", "");
    long second = awaitRunning(id).at("/process/pid").asLong();
    api.post("/instances/" + id + "/restart", "");
    long third = awaitRunning(id).at("/process/pid").asLong();

    assertThat(second).isNotEqualTo(pid);
    assertThat(third).isNotEqualTo(second);
  }

  @Test
  void aDeletedInstanceIsDrainedStoppedAndGone() {
    JsonNode created = create("delta");
    long id = created.path("id").asLong();
    long pid = awaitRunningAndHealthy(id).at("/process/pid").asLong();

    ConsoleClient.Answer deleted = api.delete("/instances/" + id + "?version=" + created.path("version").asLong());

    assertThat(deleted.status()).isEqualTo(204);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(api.get("/instances/" + id).status()).isEqualTo(404);
    assertThat(api.get("/events?target=delta").body().path("events").findValuesAsText("action"))
        .contains("instance.drain", "instance.delete");
  }

  @Test
  void aRestartedConsoleAdoptsItsRunningBridges() {
    long id = create("epsilon").path("id").asLong();
    long pid = awaitRunningAndHealthy(id).at("/process/pid").asLong();

    console.close();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the bridge outlives the console").isTrue();
    console = startConsole();
    api = new ConsoleClient(console.port(), api.token());

    JsonNode adopted = awaitRunning(id);
    assertThat(adopted.at("/process/pid").asLong()).isEqualTo(pid);
    assertThat(adopted.at("/process/restarts").asInt()).isZero();
  }

  @Test
  void aDeadBackendTurnsTheInstanceUnhealthyAndBackAgain() throws Exception {
    long id = create("zeta").path("id").asLong();
    awaitRunningAndHealthy(id);

    faults("{\"down\":true}");
    await().atMost(PATIENCE).until(() -> !api.get("/instances/" + id + "/health").body().path("healthy").asBoolean());
    JsonNode down = api.get("/instances/" + id + "/health").body();
    faults("{\"down\":false}");
    await().atMost(PATIENCE).until(() -> api.get("/instances/" + id + "/health").body().path("healthy").asBoolean());

    assertThat(down.path("failures").asInt()).isGreaterThanOrEqualTo(3);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(
        api.get("/events?target=zeta").body().path("events").findValuesAsText("action")).contains("health.down", "health.up"));
    assertThat(api.get("/instances/" + id).body().at("/process/state").asText()).as("the process itself is fine").isEqualTo("RUNNING");
  }

  @Test
  void aPortAlreadyInUseIsReportedNotRetriedForever() throws Exception {
    try (ServerSocket squatter = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      ConsoleClient.Answer created = api.post("/instances",
          "{\"name\":\"eta\",\"port\":" + squatter.getLocalPort() + ",\"upstream_url\":\"" + backend.baseUrl() + "\"}");
      long id = created.body().path("id").asLong();

      await().atMost(PATIENCE).until(() -> api.get("/instances/" + id).body().at("/process/state").asText().equals("FATAL"));
      assertThat(api.get("/instances/" + id).body().at("/process/message").asText()).contains("already in use");
    }
  }

  private JsonNode create(String name) {
    ConsoleClient.Answer created = api.post("/instances",
        "{\"name\":\"" + name + "\",\"upstream_url\":\"" + backend.baseUrl() + "\"}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    return created.body();
  }

  private JsonNode awaitRunning(long id) {
    await().atMost(PATIENCE).until(() -> api.get("/instances/" + id).body().at("/process/state").asText().equals("RUNNING"));
    return api.get("/instances/" + id).body();
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

  private void faults(String json) throws IOException {
    Request request = new Request.Builder().url(backend.baseUrl() + "/_fake/faults")
        .post(RequestBody.create(json, MediaType.get("application/json"))).build();
    try (Response response = new OkHttpClient().newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
  }

  private static String chat(int port) {
    Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/api/chat")
        .post(RequestBody.create("{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            MediaType.get("application/json"))).build();
    try (Response response = new OkHttpClient().newCall(request).execute()) {
      return response.body().string();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void kill9(long pid) throws Exception {
    assertThat(pid).as("a real child's pid, never 0 or a group").isGreaterThan(1);
    assertThat(new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor()).isZero();
  }
}
