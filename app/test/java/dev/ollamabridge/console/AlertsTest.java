package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.TestPorts;
import dev.ollamabridge.testing.WebhookReceiver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts through webhooks, end to end: a console posts to a real HTTP receiver on loopback, retries
 * after a 500, speaks Slack's shape when asked, and fires instance_down when a real bridge is killed
 * (and resolves it when the bridge is back); the API refuses bad webhooks and rules naming the field.
 */
class AlertsTest {

  private static final Duration PATIENCE = Duration.ofSeconds(40);

  @TempDir Path data;
  private ConsoleApp console;
  private ConsoleClient api;
  private final WebhookReceiver receiver = new WebhookReceiver();
  private final List<Process> bridges = new ArrayList<>();

  @BeforeEach
  void start() {
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
  }

  @AfterEach
  void stop() {
    Teardown.run(() -> bridges.forEach(Process::destroyForcibly), Teardown.closing(console), receiver::close);
  }

  @Test
  void aTestAlertRefusedWithA500IsPostedAgainAndTheLogShowsTwoAttempts() {
    receiver.answering(500);
    long id = addWebhook("ops", receiver.url("/hook"), "generic");

    long sentAt = System.nanoTime();
    ConsoleClient.Answer sent = api.post("/alerts/webhooks/" + id + "/test", "");

    assertThat(sent.status()).isEqualTo(202);
    JsonNode delivery = await().atMost(PATIENCE).until(() -> api.get("/alerts/deliveries").body().get(0),
        d -> d != null && d.path("status").asText().equals("delivered"));
    System.out.printf("alerts: a test refused once with 500 was delivered %d ms after Send test (backoff 1 s)%n",
        (System.nanoTime() - sentAt) / 1_000_000);
    assertThat(delivery.path("attempts").asInt()).isEqualTo(2);
    assertThat(delivery.path("last_status").asInt()).isEqualTo(200);
    assertThat(receiver.received()).hasSize(2);
    JsonNode body = receiver.received().get(1);
    assertThat(body.path("alert").asText()).isEqualTo("test");
    assertThat(body.path("state").asText()).isEqualTo("firing");
    assertThat(body.path("subject").asText()).isEqualTo("ops");
    assertThat(body.path("message").asText()).contains("test alert");
    assertThat(body.path("at").asText()).isNotEmpty();
    assertThat(body.path("console").asText()).isNotEmpty();
  }

  @Test
  void aRedirectIsNotFollowedAndFailsTheDeliveryAtOnce() {
    receiver.answering(302);
    long id = addWebhook("ops", receiver.url("/hook"), "generic");

    api.post("/alerts/webhooks/" + id + "/test", "");

    JsonNode delivery = await().atMost(PATIENCE).until(() -> api.get("/alerts/deliveries").body().get(0),
        d -> d != null && d.path("status").asText().equals("failed"));
    assertThat(delivery.path("attempts").asInt()).isEqualTo(1);
    assertThat(delivery.path("last_status").asInt()).isEqualTo(302);
    assertThat(delivery.path("last_error").asText()).contains("not followed");
    assertThat(receiver.received()).hasSize(1);
  }

  @Test
  void aSlackWebhookGetsTextAndBlocks() {
    long id = addWebhook("team", receiver.url("/services/T0/B0/secret"), "slack");

    assertThat(api.post("/alerts/webhooks/" + id + "/test", "").status()).isEqualTo(202);
    JsonNode body = await().atMost(PATIENCE).until(() -> receiver.received().isEmpty() ? null : receiver.received().get(0),
        b -> b != null);

    assertThat(body.path("text").asText()).contains("[firing] test");
    assertThat(body.path("blocks").get(0).path("type").asText()).isEqualTo("section");
    assertThat(body.path("alert").isMissingNode()).as("Slack's shape only").isTrue();
  }

  @Test
  void aKilledBridgeFiresInstanceDownOnceAndItsReturnResolvesIt() throws Exception {
    addWebhook("ops", receiver.url("/hook"), "generic");
    assertThat(api.patch("/settings", "{\"health.interval_ms\": 200, \"health.fall\": 1, \"health.rise\": 1}").status())
        .isEqualTo(200);
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults())) {
      int port = TestPorts.listenPort();
      Process bridge = bridge(port, backend.baseUrl());
      long id = api.post("/instances", "{\"name\":\"outside\",\"managed\":false,\"listen_host\":\"127.0.0.1\",\"port\":"
          + port + "}").body().path("id").asLong();
      await().atMost(PATIENCE).until(() -> api.get("/instances/" + id).body().at("/health/healthy").asBoolean());

      long killed = System.nanoTime();
      bridge.destroyForcibly().waitFor();
      JsonNode down = await().atMost(PATIENCE).until(() -> alert("instance_down", "firing"), a -> a != null);
      long downMs = (System.nanoTime() - killed) / 1_000_000;
      long started = System.nanoTime();
      bridge(port, backend.baseUrl());
      JsonNode up = await().atMost(PATIENCE).until(() -> alert("instance_down", "resolved"), a -> a != null);
      System.out.printf("alerts: instance_down received %d ms after the kill, resolved %d ms after the restart "
          + "(health every 200 ms, fall 1, rise 1)%n", downMs, (System.nanoTime() - started) / 1_000_000);

      assertThat(down.path("subject").asText()).isEqualTo("outside");
      assertThat(down.path("message").asText()).contains("instance outside is down");
      assertThat(up.path("subject").asText()).isEqualTo("outside");
      assertThat(receiver.received()).as("fired once, resolved once")
          .filteredOn(b -> b.path("alert").asText().equals("instance_down")).hasSize(2);
      assertThat(api.get("/events?action=alert.firing").body().toString()).contains("instance_down");
    }
  }

  @Test
  void whatFiredBeforeARestartIsNotFiredAgainAndTheNextConsoleResolvesIt() throws Exception {
    addWebhook("ops", receiver.url("/hook"), "generic");
    assertThat(api.patch("/settings", "{\"health.interval_ms\": 200, \"health.fall\": 1, \"health.rise\": 1}").status())
        .isEqualTo(200);
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults())) {
      int port = TestPorts.listenPort();
      Process bridge = bridge(port, backend.baseUrl());
      long id = api.post("/instances", "{\"name\":\"outside\",\"managed\":false,\"listen_host\":\"127.0.0.1\",\"port\":"
          + port + "}").body().path("id").asLong();
      await().atMost(PATIENCE).until(() -> api.get("/instances/" + id).body().at("/health/healthy").asBoolean());
      bridge.destroyForcibly().waitFor();
      await().atMost(PATIENCE).until(() -> alert("instance_down", "firing"), a -> a != null);

      console.close();
      console = TestConsoles.start(data);
      api = TestConsoles.client(console, data);
      long version = api.get("/instances/" + id).body().path("version").asLong();
      assertThat(api.delete("/instances/" + id + "?version=" + version).status()).isEqualTo(204);

      JsonNode resolved = await().atMost(PATIENCE).until(() -> alert("instance_down", "resolved"), a -> a != null);
      assertThat(resolved.path("message").asText()).contains("stopped on purpose, disabled or removed");
      assertThat(receiver.received()).as("fired once across the restart, then resolved")
          .filteredOn(b -> b.path("alert").asText().equals("instance_down")).hasSize(2);
    }
  }

  @Test
  void badWebhooksAndRulesAreRefusedNamingTheField() {
    assertThat(api.post("/alerts/webhooks", "{\"name\":\"x\",\"url\":\"ftp://example.com/\"}").field()).isEqualTo("url");
    assertThat(api.post("/alerts/webhooks", "{\"name\":\"x\",\"url\":\"http://" + "a".repeat(2050) + "\"}").error())
        .contains("at most 2048");
    assertThat(api.post("/alerts/webhooks", "{\"url\":\"https://example.com/h\"}").field()).isEqualTo("name");
    assertThat(api.post("/alerts/webhooks", "{\"name\":\"x\",\"url\":\"https://example.com/h\",\"format\":\"teams\"}")
        .field()).isEqualTo("format");
    assertThat(api.post("/alerts/webhooks", "{\"name\":\"x\",\"url\":\"https://example.com/h\",\"secret\":1}").field())
        .isEqualTo("secret");
    ConsoleClient.Answer badName = api.post("/alerts/webhooks", "{\"name\":\"a\\nb\",\"url\":\"https://example.com/h\"}");
    assertThat(badName.status()).isEqualTo(400);
    assertThat(badName.field()).isEqualTo("name");

    ConsoleClient.Answer threshold = api.patch("/alerts/rules", "{\"error_ratio\":{\"threshold\":250}}");
    assertThat(threshold.status()).isEqualTo(400);
    assertThat(threshold.field()).isEqualTo("error_ratio.threshold");
    assertThat(threshold.error()).contains("0.01 to 100");
    assertThat(api.patch("/alerts/rules", "{\"instance_down\":{\"minutes\":3}}").field()).isEqualTo("instance_down.minutes");
    assertThat(api.patch("/alerts/rules", "{\"disk_full\":{\"enabled\":true}}").field()).isEqualTo("disk_full");
    assertThat(api.patch("/alerts/webhooks/99", "{\"enabled\":false}").status()).isEqualTo(404);
    assertThat(api.post("/alerts/webhooks/99/test", "").status()).isEqualTo(404);

    JsonNode rules = api.patch("/alerts/rules", "{\"latency_p95\":{\"threshold\":2500,\"minutes\":2},"
        + "\"host_not_ready\":{\"enabled\":false}}").body();
    assertThat(rules.at("/latency_p95/threshold").asDouble()).isEqualTo(2500);
    assertThat(rules.at("/latency_p95/minutes").asInt()).isEqualTo(2);
    assertThat(rules.at("/host_not_ready/enabled").asBoolean()).isFalse();
    assertThat(api.get("/alerts/rules").body().at("/error_ratio/threshold").asDouble()).as("untouched").isEqualTo(5);
  }

  @Test
  void aWebhookUrlIsAnsweredWithItsPathHidden() {
    long id = addWebhook("ops", receiver.url("/services/T0/B0/topsecretpath"), "slack");

    JsonNode listed = api.get("/alerts/webhooks").body().get(0);

    assertThat(listed.path("url").asText()).doesNotContain("topsecret").endsWith("path");
    JsonNode off = api.patch("/alerts/webhooks/" + id, "{\"enabled\":false}").body();
    assertThat(off.path("enabled").asBoolean()).isFalse();
    assertThat(api.delete("/alerts/webhooks/" + id).status()).isEqualTo(204);
    assertThat(api.get("/alerts/webhooks").body()).isEmpty();
  }

  private long addWebhook(String name, String url, String format) {
    ConsoleClient.Answer added = api.post("/alerts/webhooks", "{\"name\":\"" + name.replace("\"", "\\\"")
        + "\",\"url\":\"" + url + "\",\"format\":\"" + format + "\"}");
    assertThat(added.status()).as(String.valueOf(added.body())).isEqualTo(201);
    return added.body().path("id").asLong();
  }

  /** The first body received of this alert and state, or null. */
  private JsonNode alert(String kind, String state) {
    return receiver.received().stream().filter(b -> b.path("alert").asText().equals(kind)
        && b.path("state").asText().equals(state)).findFirst().orElse(null);
  }

  /** A bridge as its command line runs it, in a process of its own that the test can kill. */
  private Process bridge(int port, String upstream) throws IOException {
    Process process = new ProcessBuilder(TestConsoles.THIS_JAVA, "-cp", System.getProperty("java.class.path"),
        "dev.ollamabridge.Main", "bridge", "-l", "127.0.0.1:" + port, "-o", upstream)
        .redirectErrorStream(true).redirectOutput(data.resolve("bridge-" + bridges.size() + ".log").toFile()).start();
    bridges.add(process);
    return process;
  }
}
