package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover drills with real processes: bridges behind the console's nginx under a steady stream
 * of requests, while a bridge is killed or a backend stops. Each phase lasts until the clients have
 * sent a number of requests in it, never a fixed time; figures are printed for the record.
 */
class FailoverDrillTest {

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(3));
  private final FakeOllama otherBackend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(3));
  private ManagedNginxFixture nginx;

  /** Requests each phase of a drill lasts: enough to cross a phase's every upstream more than once. */
  private static final int PER_PHASE = 20;
  private static final int FALL = 3;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(nginx), backend::close, otherBackend::close);
  }

  @Test
  void killingABridgeFailsNoRequestAndItComesBack() throws Exception {
    nginx = new ManagedNginxFixture(data);
    nginx.api.patch("/settings", "{\"health.interval_ms\":200,\"health.fall\":2}");
    long a = nginx.create("a", backend.baseUrl(), 1);
    long b = nginx.create("b", backend.baseUrl(), 1);
    long c = nginx.create("c", backend.baseUrl(), 1);
    for (long id : new long[] {a, b, c}) {
      nginx.awaitHealthy(id);
    }
    nginx.awaitServing("a", "b", "c");
    // with routing by model on: the drill's requests take the model's group, not the plain cluster
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> {
      String config = nginx.appliedConfig();
      return config != null && config.contains("\"fake-llama\" \"@group_1\";");
    });
    long pid = nginx.api.get("/instances/" + b).body().at("/process/pid").asLong();

    try (SteadyLoad load = new SteadyLoad(nginx, 2)) {
      load.awaitMore(PER_PHASE); // to a, b and c
      assertThat(new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor()).isZero();
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> {
        String config = nginx.appliedConfig();
        return config != null && config.contains("# b: down, failing its health checks");
      });
      load.awaitMore(PER_PHASE); // to a and c
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> {
        JsonNode instance = nginx.api.get("/instances/" + b).body();
        return instance.at("/process/pid").asLong() != pid && instance.at("/health/healthy").asBoolean();
      });
      nginx.awaitServing("a", "b", "c");
      load.awaitMore(PER_PHASE); // to a, b and c again
      load.stop();
      System.out.printf("kill -9 drill: %d requests, %d failed%n", load.sent(), load.failed());
      assertThat(load.failed()).as(load.failures() + "\n" + nginx.errorLogTail()).isZero();
    }
    assertThat(appliedConfigs().get(0)).as("b is back in the newest configuration").contains("# b\n");
    await().atMost(ManagedNginxFixture.PATIENCE).untilAsserted(() -> assertThat(
        nginx.api.get("/events?target=b").body().path("events").findValuesAsText("action"))
        .contains("process.exited", "health.down", "health.up"));
  }

  @Test
  void aStoppedBackendTurnsItsInstanceDownInNginxAfterFallFailedChecks() throws Exception {
    nginx = new ManagedNginxFixture(data);
    nginx.api.patch("/settings", "{\"health.fall\":" + FALL + "}");
    long x = nginx.create("x", backend.baseUrl(), 1);
    long y = nginx.create("y", otherBackend.baseUrl(), 1);
    nginx.awaitHealthy(x);
    nginx.awaitHealthy(y);
    nginx.awaitServing("x", "y");

    List<JsonNode> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    try (SteadyLoad load = new SteadyLoad(nginx, 2); Watch watch = new Watch(() -> seen.add(health(y)))) {
      load.awaitMore(PER_PHASE); // to x and y
      otherBackend.close();
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> {
        String config = nginx.appliedConfig();
        return config != null && config.contains("# y: down, failing its health checks");
      });
      load.awaitMore(PER_PHASE); // to x alone
      load.stop();
      System.out.printf("backend stop drill: %d requests, %d failed%n", load.sent(), load.failed());
      assertThat(load.failed()).as("nginx sends the requests to x: " + load.failures() + "\n" + nginx.errorLogTail()).isZero();
    }

    System.out.printf("backend stop drill: y's records read on the way (healthy, failures): %s%n", seen.stream()
        .map(record -> record.path("healthy").asBoolean() + "/" + record.path("failures").asInt()).distinct().toList());
    JsonNode down = health(y);
    assertThat(down.path("healthy").asBoolean()).isFalse();
    assertThat(down.path("failures").asInt()).isGreaterThanOrEqualTo(FALL);
    assertThat(down.path("last_status").asInt()).as("the bridge answers, with 503: its backend is gone").isEqualTo(503);
    // every record read on the way: up while fewer than fall checks in a row failed, down from the fall-th on
    assertThat(seen).isNotEmpty().allSatisfy(record -> assertThat(record.path("healthy").asBoolean())
        .as(record.toString()).isEqualTo(record.path("failures").asInt() < FALL));
    await().atMost(ManagedNginxFixture.PATIENCE).untilAsserted(() -> assertThat(
        nginx.api.get("/events?target=y").body().path("events").findValuesAsText("action")).containsOnlyOnce("health.down"));
  }


  private JsonNode health(long id) {
    return nginx.api.get("/instances/" + id + "/health").body();
  }

  private List<String> appliedConfigs() {
    List<String> configs = new ArrayList<>();
    for (JsonNode revision : nginx.api.get("/nginx/revisions").body().path("revisions")) {
      if (revision.path("result").asText().equals("applied")) {
        configs.add(nginx.api.get("/nginx/revisions/" + revision.path("id").asLong()).body().path("config").asText());
      }
    }
    return configs;
  }

  /** Reads something every few milliseconds on its own thread until closed. */
  private static final class Watch implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Watch(Runnable read) {
      thread = new Thread(() -> {
        while (running.get()) {
          read.run();
          LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // a pace, not a wait for anything
        }
      }, "watch");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }
}
