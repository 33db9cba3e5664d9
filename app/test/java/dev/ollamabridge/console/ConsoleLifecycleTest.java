package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
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
    // quick checks, a short startsecs and backoff keep the test short; the semantics are the seed's
    api.patch("/settings", "{\"health.interval_ms\":300,\"health.rise\":2,\"health.fall\":3}");
    restartWith("{\"supervise.startsecs\":1,\"supervise.backoff_ms\":100}");
  }

  /** The bridges this test's consoles left running are killed by LeftoverProcesses, after this. */
  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(console), backend::close);
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
  void aBridgeThatDiesWhileStartingBacksOffAndGoesFatalAfterItsRetries() throws Exception {
    // no start lasts the 600 s of startsecs: every one is still STARTING when it is killed, however slow the machine
    restartWith("{\"supervise.startsecs\":600,\"supervise.startretries\":2}");
    long id = create("theta").path("id").asLong();
    List<Long> killed = new ArrayList<>();

    for (int attempt = 1; attempt <= 3; attempt++) { // 1 + startretries starts in a row
      long pid = awaitStartingAnew(id, killed);
      kill9(pid);
      killed.add(pid);
    }

    JsonNode fatal = awaitState(id, Set.of("FATAL"), killed);
    assertThat(fatal.at("/process/message").asText()).startsWith("gave up after 3 attempts")
        .contains("before it was running");
    assertThat(fatal.at("/process/restarts").asInt()).as("the two retries").isEqualTo(2);
    // an event is recorded just after the state it tells of
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(
        api.get("/events?target=theta").body().path("events").findValuesAsText("action"))
        .containsOnlyOnce("process.fatal").filteredOn("process.backoff"::equals).hasSize(3));
    // the waits supervise.backoff_ms set: 100 ms, then twice that, each ±20%
    List<String> retries = new ArrayList<>();
    for (JsonNode event : api.get("/events?target=theta&action=process.backoff").body().path("events")) {
      Matcher retry = Pattern.compile("^retry (\\d) of 2 in (\\d+) ms: ")
          .matcher(event.path("detail").asText());
      if (retry.find()) {
        int wait = Integer.parseInt(retry.group(2));
        retries.add(retry.group(1) + ":" + (wait >= 80 && wait <= 120 ? "100" : wait >= 160 && wait <= 240 ? "200" : wait));
      }
    }
    assertThat(retries).containsExactlyInAnyOrder("1:100", "2:200");
  }

  @Test
  void theBackoffIsASettingWithItsRuleNamed() {
    ConsoleClient.Answer tooShort = api.patch("/settings", "{\"supervise.backoff_ms\":50}");

    assertThat(tooShort.status()).isEqualTo(400);
    assertThat(tooShort.body().path("error").asText()).contains("supervise.backoff_ms", "100", "30000");
    assertThat(api.get("/settings").body().toString()).contains("\"supervise.backoff_ms\":\"100\"");
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
  void anInstanceTurnsHealthyAfterExactlyRisePassesAndUnhealthyAfterExactlyFallFailures() throws Exception {
    // rise 2 and fall 3 as start() set them; a held check must not time out while the test reads the record
    api.patch("/settings", "{\"health.interval_ms\":200,\"health.timeout_ms\":60000}");
    try (HeldChecks bridge = new HeldChecks()) {
      ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"iota\",\"managed\":false,\"port\":" + bridge.port() + "}");
      assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
      long id = created.body().path("id").asLong();

      // while a check is held, the checker starts no other: the record shows every check before it, and no more
      bridge.nextCheck().complete(200);
      assertThat(health(id, bridge.nextCheck())).as("one pass").extracting(HealthRecord::healthy, HealthRecord::passes)
          .containsExactly(false, 1);
      bridge.held().complete(200);
      assertThat(health(id, bridge.nextCheck())).as("two passes").extracting(HealthRecord::healthy, HealthRecord::passes)
          .containsExactly(true, 2);
      bridge.held().complete(503);
      assertThat(health(id, bridge.nextCheck())).as("one failure").extracting(HealthRecord::healthy, HealthRecord::failures)
          .containsExactly(true, 1);
      bridge.held().complete(503);
      assertThat(health(id, bridge.nextCheck())).as("two failures").extracting(HealthRecord::healthy, HealthRecord::failures)
          .containsExactly(true, 2);
      bridge.held().complete(503);
      assertThat(health(id, bridge.nextCheck())).as("three failures").extracting(HealthRecord::healthy, HealthRecord::failures)
          .containsExactly(false, 3);
    }
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(
        api.get("/events?target=iota").body().path("events").findValuesAsText("action")).containsOnlyOnce("health.up", "health.down"));
  }

  @Test
  void aPortTakenAfterTheInstanceWasStoredIsReportedNotRetriedForever() throws Exception {
    // a port another program holds when the instance is stored is a 409 (InstancePortsTest); this one is taken later
    JsonNode created = api.post("/instances",
        "{\"name\":\"eta\",\"enabled\":false,\"upstream_url\":\"" + backend.baseUrl() + "\"}").body();
    long id = created.path("id").asLong();
    try (ServerSocket squatter = new ServerSocket(created.path("port").asInt(), 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertThat(api.post("/instances/" + id + "/start", "").status()).isEqualTo(200);

      await().atMost(PATIENCE).until(() -> api.get("/instances/" + id).body().at("/process/state").asText().equals("FATAL"));
      assertThat(api.get("/instances/" + id).body().at("/process/message").asText())
          .isEqualTo("127.0.0.1:" + squatter.getLocalPort() + " is already in use by another program");
    }
  }

  /** The health record of an instance, as {@code GET /instances/{id}/health} answers it. */
  private record HealthRecord(boolean healthy, int passes, int failures) {}

  /** The record while {@code held} (the next check) waits for its answer. */
  private HealthRecord health(long id, CompletableFuture<Integer> held) {
    assertThat(held).isNotDone();
    JsonNode health = api.get("/instances/" + id + "/health").body();
    return new HealthRecord(health.path("healthy").asBoolean(), health.path("passes").asInt(), health.path("failures").asInt());
  }

  /**
   * An external bridge whose {@code GET /health} checks wait until the test answers them, one at a time:
   * the test decides how many checks have passed or failed. Other routes answer at once.
   */
  private static final class HeldChecks implements AutoCloseable {
    private final BlockingQueue<CompletableFuture<Integer>> checks = new LinkedBlockingQueue<>();
    private final MockWebServer server = new MockWebServer();
    private volatile boolean closed;
    private CompletableFuture<Integer> held;

    HeldChecks() throws IOException {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
          String path = request.getUrl().encodedPath();
          if (path.equals("/api/tags")) {
            return new MockResponse.Builder().addHeader("Content-Type", "application/json").body("{\"models\":[]}").build();
          }
          if (!path.equals("/health")) {
            return new MockResponse.Builder().code(404).build();
          }
          if (closed) {
            return new MockResponse.Builder().code(503).build();
          }
          CompletableFuture<Integer> answer = new CompletableFuture<>();
          checks.put(answer);
          if (closed) {
            answer.complete(503); // close() may have answered the waiting checks before this one came
          }
          try {
            return new MockResponse.Builder().code(answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).build();
          } catch (ExecutionException | TimeoutException e) {
            return new MockResponse.Builder().code(500).build();
          }
        }
      });
      server.start();
    }

    int port() {
      return server.getPort();
    }

    /** The next check, waiting for its answer. */
    CompletableFuture<Integer> nextCheck() throws InterruptedException {
      held = checks.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      assertThat(held).as("a health check within " + PATIENCE).isNotNull();
      return held;
    }

    /** The check {@link #nextCheck()} returned last. */
    CompletableFuture<Integer> held() {
      return held;
    }

    @Override
    public void close() {
      closed = true;
      checks.forEach(check -> check.complete(503));
      if (held != null) {
        held.complete(503);
      }
      server.close();
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

  /** supervise.* settings are read when a console starts: stores them, then starts a console on the same data. */
  private void restartWith(String settings) {
    ConsoleClient.Answer stored = api.patch("/settings", settings);
    assertThat(stored.status()).as(String.valueOf(stored.body())).isEqualTo(200);
    console.close();
    console = startConsole();
    api = new ConsoleClient(console.port(), api.token());
  }

  /** The pid of a start that none of {@code killed} is: STARTING with a pid of its own. */
  private long awaitStartingAnew(long id, List<Long> killed) {
    return awaitState(id, Set.of("STARTING"), killed).at("/process/pid").asLong();
  }

  /** The instance once its process is in one of {@code states}; a STARTING one with a pid not in {@code killed}. */
  private JsonNode awaitState(long id, Set<String> states, List<Long> killed) {
    return await().atMost(PATIENCE).until(() -> api.get("/instances/" + id).body(), instance -> {
      JsonNode process = instance.path("process");
      long pid = process.path("pid").asLong();
      String state = process.path("state").asText();
      return states.contains(state) && (!state.equals("STARTING") || pid > 0 && !killed.contains(pid));
    });
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
