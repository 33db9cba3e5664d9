package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's own requests to a bridge (model discovery, health probes, metrics scrapes) are not
 * client traffic: an idle instance shows no requests while the console keeps asking it.
 */
class ConsoleOwnTrafficTest {

  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
  private ConsoleApp console;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(console), backend::close);
  }

  @Test
  void anIdleInstanceShowsNoClientRequestsWhileTheConsoleProbesIt() {
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    ConsoleClient.Answer quick = api.patch("/settings",
        "{\"health.interval_ms\":300,\"models.refresh_s\":5,\"metrics.scrape_interval_ms\":1000}");
    assertThat(quick.status()).as(quick.body().toString()).isEqualTo(200);
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"idle\",\"upstream_url\":\"" + backend.baseUrl() + "\"}");
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    long id = created.body().path("id").asLong();
    int port = created.body().path("port").asInt();
    await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/instances/" + id).body().at("/health/healthy").asBoolean());

    // the console has asked the bridge for its models; from here on, watch the figures until it asks again
    await().atMost(Duration.ofSeconds(60)).until(() -> consoleRequests(port, "/api/tags") >= 1);
    double asked = consoleRequests(port, "/api/tags");
    List<Double> seen = new ArrayList<>();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
      JsonNode figures = api.get("/instances/" + id).body().path("figures");
      if (figures.has("requests_per_second")) {
        seen.add(figures.path("requests_per_second").asDouble());
      }
      return consoleRequests(port, "/api/tags") > asked && consoleRequests(port, "/health") > 0 && seen.size() >= 2;
    });

    assertThat(clientRequests(port)).as("the bridge's client requests").isZero();
    assertThat(seen).as("requests/s the console showed while it probed").containsOnly(0.0);
    JsonNode latest = api.get("/instances/" + id).body().path("figures");
    assertThat(latest.path("requests_per_second").asDouble()).isZero();
    assertThat(latest.path("latency_p50_ms").isNull() || latest.path("latency_p50_ms").isMissingNode())
        .as("no latency without client requests: " + latest).isTrue();
  }

  /** The console's requests to a route, as the bridge counts them apart. */
  private static double consoleRequests(int port, String route) {
    return sum(port, "bridge_console_requests_total{", "route=\"" + route + "\"");
  }

  /** Every request the bridge counts as a client's. */
  private static double clientRequests(int port) {
    return sum(port, "bridge_requests_total{", "");
  }

  private static double sum(int port, String prefix, String labels) {
    try (Response response = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/metrics").build())
        .execute()) {
      return response.body().string().lines().filter(line -> line.startsWith(prefix) && line.contains(labels))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    } catch (IOException e) {
      return -1;
    }
  }
}
