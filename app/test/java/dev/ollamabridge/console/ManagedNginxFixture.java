package dev.ollamabridge.console;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** A console with its own nginx on a free port, and what tests need to talk through that nginx. */
final class ManagedNginxFixture implements AutoCloseable {

  static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final OkHttpClient HTTP = new OkHttpClient.Builder()
      .connectionPool(new ConnectionPool(16, 1, TimeUnit.MINUTES)).readTimeout(Duration.ofSeconds(30)).build();

  final ConsoleApp console;
  final ConsoleClient api;
  final int nginxPort;
  private final Path data;

  ManagedNginxFixture(Path data) throws IOException {
    this.data = data;
    this.nginxPort = freePort();
    this.console = ConsoleApp.start(TestConsoles.configured(data, "managed", "127.0.0.1:" + nginxPort));
    this.api = new ConsoleClient(console.port(), console.adminToken());
    // quick checks keep the tests short; the semantics are the seed's
    api.patch("/settings", "{\"health.interval_ms\":300,\"health.rise\":2,\"health.fall\":3,\"nginx.rate_per_second\":100000,"
        + "\"first_port\":" + TestPorts.firstPort() + "}");
  }

  long create(String name, String upstream, int weight) {
    ConsoleClient.Answer created = api.post("/instances",
        "{\"name\":\"" + name + "\",\"upstream_url\":\"" + upstream + "\",\"weight\":" + weight + "}");
    if (created.status() != 201) {
      throw new AssertionError(created.body());
    }
    return created.body().path("id").asLong();
  }

  void awaitHealthy(long id) {
    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode instance = api.get("/instances/" + id).body();
      if (!instance.at("/process/state").asText().equals("RUNNING") || !instance.at("/health/healthy").asBoolean()) {
        throw new AssertionError("instance " + id + " is not RUNNING and healthy: " + instance.path("process")
            + " " + instance.path("health"));
      }
    });
  }

  /** The revision nginx serves now, from its {@code /nginx-health} answer. */
  String servedRevision() {
    try (Response response = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + nginxPort + "/nginx-health").build()).execute()) {
      return response.header("X-Config-Revision");
    } catch (IOException e) {
      return null;
    }
  }

  /** Waits until nginx serves a configuration in which every given instance is up. */
  void awaitServing(String... upNames) {
    await().atMost(PATIENCE).until(() -> {
      String config = appliedConfig();
      if (config == null) {
        return false;
      }
      for (String name : upNames) {
        if (!config.lines().anyMatch(line -> line.endsWith("# " + name))) {
          return false;
        }
      }
      return true;
    });
  }

  /** The text of the last applied revision, if nginx serves it. */
  String appliedConfig() {
    JsonNode revisions = api.get("/nginx/revisions").body().path("revisions");
    for (JsonNode revision : revisions) {
      if (revision.path("result").asText().equals("applied")) {
        if (!revision.path("hash").asText().equals(servedRevision())) {
          return null;
        }
        return api.get("/nginx/revisions/" + revision.path("id").asLong()).body().path("config").asText();
      }
    }
    return null;
  }

  /** A non-streamed chat through nginx; answers the status, or 0 when no answer came. */
  int chat() {
    return chat("hi");
  }

  /** A non-streamed chat through nginx with this question (plain text: no quotes or backslashes). */
  int chat(String question) {
    return chat("fake-llama", question);
  }

  /** A non-streamed chat with a model through nginx; answers the status, or 0 when no answer came. */
  int chat(String model, String question) {
    Request request = new Request.Builder().url("http://127.0.0.1:" + nginxPort + "/api/chat")
        .post(RequestBody.create("{\"model\":\"" + model + "\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\""
            + question + "\"}]}", MediaType.get("application/json"))).build();
    try (Response response = HTTP.newCall(request).execute()) {
      response.body().bytes();
      return response.code();
    } catch (IOException e) {
      System.out.println("request through nginx got no answer: " + e);
      return 0;
    }
  }

  /** The end of nginx's error log, to explain a failed request. */
  String errorLogTail() {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(data.resolve("nginx/logs/error.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no error log: " + e.getMessage() + ")";
    }
  }

  /** How many /api/chat requests a bridge has answered, from its own /metrics. */
  static long answered(int port) {
    try (Response response = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/metrics").build()).execute()) {
      return response.body().string().lines()
          .filter(line -> line.startsWith("bridge_requests_total{") && line.contains("route=\"/api/chat\""))
          .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    } catch (IOException e) {
      return -1;
    }
  }

  int port(long id) {
    return api.get("/instances/" + id).body().path("port").asInt();
  }

  @Override
  public void close() {
    for (JsonNode instance : api.get("/instances").body()) {
      api.delete("/instances/" + instance.path("id").asLong() + "?version=" + instance.path("version").asLong());
    }
    ProcessHandle nginx = nginxMaster();
    console.close();
    if (nginx != null) {
      nginx.destroy(); // the console leaves nginx running on purpose; a test cleans up after itself
      nginx.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
  }

  private ProcessHandle nginxMaster() {
    try {
      long pid = Long.parseLong(java.nio.file.Files.readString(data.resolve("nginx/nginx.pid")).strip());
      return ProcessHandle.of(pid).orElse(null);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
