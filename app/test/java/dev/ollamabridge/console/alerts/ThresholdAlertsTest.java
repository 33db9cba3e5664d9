package dev.ollamabridge.console.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.metrics.BridgeScraper;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.Retention;
import dev.ollamabridge.testing.WebhookReceiver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The threshold rules on crafted scrapes: a "bridge" whose {@code /metrics} grows by ten requests at
 * each read, with the share of 5xx and the latency the test sets, read by the console's real scraper;
 * and keys' budgets as the keys and usage would tell them. How a rule's minutes count is
 * {@link ThresholdWatchTest}'s.
 */
class ThresholdAlertsTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path data;
  private final WebhookReceiver receiver = new WebhookReceiver();
  private final Bridge bridge = new Bridge();
  private final AtomicReference<List<KeyBudgets.KeyBudget>> keys = new AtomicReference<>(List.of());
  private Database database;
  private BridgeScraper scraper;
  private AlertService alerts;

  @BeforeEach
  void start() {
    database = Database.open(data.resolve("console.db"));
    EventLog events = new EventLog(database, () -> new Retention(1000, Duration.ofDays(30)));
    OkHttpClient http = new OkHttpClient();
    scraper = new BridgeScraper(() -> List.of(new BridgeScraper.Target(1, "b1", bridge.url())), http,
        Duration.ofMillis(200), Duration.ofHours(1), Clock.systemUTC());
    alerts = new AlertService(database, events, new ObjectMapper(), http, "test-console",
        new DeliveryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5)), Clock.systemUTC());
    alerts.addWebhook(new WebhookChanges("ops", receiver.url("/hook"), "generic", true), "test");
  }

  @AfterEach
  void stop() {
    alerts.close();
    scraper.close();
    bridge.close();
    receiver.close();
    database.close();
  }

  @Test
  void anErrorRatioOverItsThresholdFiresOnceAndResolvesWhenTheErrorsStop() {
    rules(new RuleChange(AlertKind.ERROR_RATIO, true, 10.0, 0), new RuleChange(AlertKind.LATENCY_P95, false, null, null));
    bridge.errorsOfTen = 5;
    watch();

    JsonNode firing = await().atMost(PATIENCE).until(() -> received("error_ratio", "firing"), b -> b != null);
    bridge.errorsOfTen = 0;
    JsonNode resolved = await().atMost(PATIENCE).until(() -> received("error_ratio", "resolved"), b -> b != null);

    assertThat(firing.path("subject").asText()).isEqualTo("b1");
    assertThat(firing.path("message").asText()).contains("50.0 % of the answers of b1 were errors", "over 10 %");
    assertThat(resolved.path("message").asText()).contains("0.0 %");
    assertThat(receiver.received()).as("fired once while it held, then resolved")
        .filteredOn(b -> b.path("alert").asText().equals("error_ratio")).hasSize(2);
  }

  @Test
  void aSlowP95FiresAndResolvesWhenAnswersAreFastAgain() {
    rules(new RuleChange(AlertKind.LATENCY_P95, true, 2000.0, 0), new RuleChange(AlertKind.ERROR_RATIO, false, null, null));
    bridge.slow = true;
    watch();

    JsonNode firing = await().atMost(PATIENCE).until(() -> received("latency_p95", "firing"), b -> b != null);
    bridge.slow = false;
    JsonNode resolved = await().atMost(PATIENCE).until(() -> received("latency_p95", "resolved"), b -> b != null);

    assertThat(firing.path("message").asText()).contains("the p95 latency of b1 is", "over 2000 ms");
    assertThat(resolved.path("message").asText()).contains("under 2000 ms");
    assertThat(receiver.received()).as("no error ratio: that rule is off").noneMatch(b -> b.path("alert").asText().equals("error_ratio"));
  }

  @Test
  void aKeyOverItsBudgetShareFiresAndANewDayResolvesIt() {
    keys.set(List.of(new KeyBudgets.KeyBudget("k1", "app-one", 85_000, 100_000),
        new KeyBudgets.KeyBudget("k2", "app-two", 50_000, 100_000)));
    watch();

    JsonNode firing = await().atMost(PATIENCE).until(() -> received("key_budget", "firing"), b -> b != null);
    keys.set(List.of(new KeyBudgets.KeyBudget("k1", "app-one", 0, 100_000),
        new KeyBudgets.KeyBudget("k2", "app-two", 0, 100_000)));
    await().atMost(PATIENCE).until(() -> received("key_budget", "resolved"), b -> b != null);

    assertThat(firing.path("subject").asText()).isEqualTo("app-one");
    assertThat(firing.path("message").asText()).contains("used 85000 of its 100000 tokens today (85 %)");
    assertThat(receiver.received()).as("app-two, at 50 %, never fired")
        .noneMatch(b -> b.path("subject").asText().equals("app-two"));
  }

  private void watch() {
    scraper.start();
    alerts.watch(() -> Map.of(1L, "b1"), scraper::latest, () -> keys.get(), Duration.ofMillis(100));
  }

  private void rules(RuleChange... changes) {
    alerts.updateRules(List.of(changes), "test");
  }

  private JsonNode received(String kind, String state) {
    return receiver.received().stream().filter(b -> b.path("alert").asText().equals(kind)
        && b.path("state").asText().equals(state)).findFirst().orElse(null);
  }

  /**
   * A bridge's {@code /metrics} that grows by ten requests at every read: {@code errorsOfTen} of
   * them answered 500, all taking 3 s ({@code slow}) or 50 ms.
   */
  private static final class Bridge implements AutoCloseable {
    volatile int errorsOfTen;
    volatile boolean slow;
    private long ok;
    private long errors;
    private long fast;
    private long slowCount;
    private final HttpServer server;

    Bridge() {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      server.createContext("/metrics", exchange -> {
        try (exchange) {
          byte[] text = next().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, text.length);
          exchange.getResponseBody().write(text);
        }
      });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private synchronized String next() {
      errors += errorsOfTen;
      ok += 10 - errorsOfTen;
      if (slow) {
        slowCount += 10;
      } else {
        fast += 10;
      }
      long total = fast + slowCount;
      return "bridge_requests_total{route=\"/api/chat\",status=\"200\",cache=\"off\"} " + ok + "\n"
          + "bridge_requests_total{route=\"/api/chat\",status=\"500\",cache=\"off\"} " + errors + "\n"
          + "bridge_request_duration_seconds_bucket{le=\"0.1\"} " + fast + "\n"
          + "bridge_request_duration_seconds_bucket{le=\"1.0\"} " + fast + "\n"
          + "bridge_request_duration_seconds_bucket{le=\"5.0\"} " + total + "\n"
          + "bridge_request_duration_seconds_bucket{le=\"+Inf\"} " + total + "\n";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
