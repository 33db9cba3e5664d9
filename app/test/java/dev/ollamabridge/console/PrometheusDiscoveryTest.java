package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.metrics.RunningBridge;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus, run on the prometheus.yml the console exports, finds the console's bridges
 * through its HTTP service discovery and scrapes them: no target is written into the file.
 */
class PrometheusDiscoveryTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path data;
  @TempDir Path prometheusDir;
  private ConsoleApp console;
  private RunningBridge bridge;
  private Process prometheus;

  @AfterEach
  void stop() {
    Teardown.run(() -> {
      if (prometheus != null) {
        prometheus.destroy();
        if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly();
        }
      }
    }, Teardown.closing(bridge), Teardown.closing(console));
  }

  @Test
  void prometheusFindsAndScrapesABridgeAddedAfterItStarted() throws Exception {
    console = TestConsoles.start(data);
    ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());
    bridge = new RunningBridge(data.resolve("cache"));
    // the exported file as the operator installs it, its intervals shortened for the test, the token beside it
    String yml = api.text("/exports/prometheus.yml").body()
        .replace("refresh_interval: 30s", "refresh_interval: 1s")
        .replace("scrape_interval: 10s", "scrape_interval: 1s")
        .replace("scrape_timeout: 5s", "scrape_timeout: 1s");
    Path config = Files.writeString(prometheusDir.resolve("prometheus.yml"), yml);
    Files.writeString(prometheusDir.resolve(GeneratedFiles.PROMETHEUS_TOKEN_FILE), console.adminToken() + "\n");
    int port = TestPorts.listenPort();
    prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + prometheusDir.resolve("tsdb"),
        "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(prometheusDir.resolve("prometheus.log").toFile()).start();

    api.post("/instances", "{\"name\":\"edge\",\"managed\":false,\"listen_host\":\"127.0.0.1\",\"port\":" + bridge.port() + "}");

    JsonNode target;
    try {
      target = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
          .ignoreExceptionsInstanceOf(IOException.class) // until Prometheus listens
          .until(() -> edgeTarget(port), t -> t != null && t.path("health").asText().equals("up"));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no healthy target 'edge'; Prometheus logged:\n"
          + Files.readString(prometheusDir.resolve("prometheus.log")), e);
    }
    assertThat(target.path("scrapeUrl").asText()).isEqualTo("http://127.0.0.1:" + bridge.port() + "/metrics");
    assertThat(target.at("/labels/host").asText()).isEqualTo("local");
    assertThat(target.at("/labels/role").asText()).isEqualTo("primary");
  }

  /** The active target labelled instance="edge", as Prometheus' API lists it, or null while it has none. */
  private JsonNode edgeTarget(int port) throws Exception {
    if (!prometheus.isAlive()) {
      throw new AssertionError("prometheus ended: " + Files.readString(prometheusDir.resolve("prometheus.log")));
    }
    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/targets?state=active"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    for (JsonNode target : JSON.readTree(answer.body()).at("/data/activeTargets")) {
      if (target.at("/labels/instance").asText().equals("edge")) {
        return target;
      }
    }
    return null;
  }
}
