package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request logs across machines: a bridge on another host (a network namespace with a real agent)
 * and that host's edge nginx write their lines there; the console's Logs API shows them, with their
 * host, through the agent, and one request's record joins the edge's line and the bridge's. A host cut
 * off is reported as unanswered while the console's own lines are still served.
 */
class LogsAcrossHostsTest {

  private static final Duration PATIENCE = HostsCluster.PATIENCE;
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

  @TempDir Path data;
  private HostsCluster cluster;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(cluster));
  }

  @Test
  void aRemoteBridgesAndEdgesLinesShowUpAndASilentHostIsReported() throws IOException {
    cluster = HostsCluster.create(data, "h1");
    ManagedNginxFixture nginx = cluster.nginx;
    cluster.joinAll("h1");
    assertThat(nginx.api.patch("/hosts/h1", "{\"edge\":true}").status()).isEqualTo(200);
    cluster.bridgeOn("h1", "far");
    await().atMost(PATIENCE).until(() -> chat("http://" + cluster.net.host("h1").address() + ":" + nginx.nginxPort,
        "across-1") == 200);
    assertThat(chat("http://127.0.0.1:" + nginx.nginxPort, "here-1")).isEqualTo(200);

    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode record = nginx.api.get("/logs/requests/across-1").body();
      assertThat(origins(record.path("bridge"))).containsExactly("far@h1");
      assertThat(origins(record.path("nginx"))).contains("nginx@h1");
    });
    JsonNode fromH1 = nginx.api.get("/logs/requests?host=h1").body();
    assertThat(fromH1.path("unanswered")).isEmpty();
    assertThat(origins(fromH1.path("requests"))).contains("far@h1", "nginx@h1").allMatch(origin -> origin.endsWith("@h1"));
    assertThat(nginx.api.get("/logs/requests/here-1").body().path("nginx")).as("the console's own nginx").isNotEmpty();
    assertThat(nginx.api.get("/logs/nginx-errors?host=h1").status()).isEqualTo(200);

    cluster.net.partition("h1");
    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode all = nginx.api.get("/logs/requests").body();
      assertThat(all.path("unanswered").toString()).contains("h1");
      assertThat(origins(all.path("requests"))).contains("nginx@local").noneMatch(origin -> origin.endsWith("@h1"));
    });
  }

  /** Each line's instance (or nginx) and host, as {@code far@h1}. */
  private static List<String> origins(JsonNode lines) {
    List<String> origins = new ArrayList<>();
    lines.forEach(line -> origins.add((line.path("instance").isTextual() ? line.path("instance").asText() : "nginx")
        + "@" + line.path("host").asText()));
    return origins;
  }

  private static int chat(String base, String id) {
    Request request = new Request.Builder().url(base + "/v1/chat/completions").header("X-Request-Id", id)
        .post(RequestBody.create("{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            MediaType.get("application/json"))).build();
    try (Response response = HTTP.newCall(request).execute()) {
      response.body().bytes();
      return response.code();
    } catch (IOException e) {
      return 0;
    }
  }
}
