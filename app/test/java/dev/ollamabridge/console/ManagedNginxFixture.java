package dev.ollamabridge.console;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.testing.LeftoverProcesses;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** A console with its own nginx on a free port, and what tests need to talk through that nginx. */
final class ManagedNginxFixture implements AutoCloseable {

  static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final Pattern REVISION = Pattern.compile("^# Revision (\\S+)$", Pattern.MULTILINE);
  /**
   * How long a settled cluster must make no new revision: longer than the apply debounce (250 ms)
   * and a health check (300 ms) together, so that a change still on its way would have been seen.
   */
  static final Duration QUIET = Duration.ofSeconds(1);
  private static final OkHttpClient HTTP = new OkHttpClient.Builder()
      .connectionPool(new ConnectionPool(16, 1, TimeUnit.MINUTES)).readTimeout(Duration.ofSeconds(30)).build();

  final ConsoleApp console;
  final ConsoleClient api;
  final int nginxPort;
  private final Path data;

  ManagedNginxFixture(Path data) throws IOException {
    this(data, UnaryOperator.identity());
  }

  /** A console whose config {@code adjust} changes first (e.g. with its agent listener on). */
  ManagedNginxFixture(Path data, UnaryOperator<ConsoleConfig> adjust) throws IOException {
    this.data = data;
    this.nginxPort = TestPorts.listenPort();
    this.console = ConsoleApp.start(adjust.apply(TestConsoles.configured(data, "managed", "127.0.0.1:" + nginxPort)));
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

  /** Creates instances of weight 1 in front of one upstream, waits until each is healthy and the cluster settled; their ids. */
  long[] createSettled(String upstream, String... names) {
    long[] ids = new long[names.length];
    for (int i = 0; i < names.length; i++) {
      ids[i] = create(names[i], upstream, 1);
    }
    for (long id : ids) {
      awaitHealthy(id);
    }
    awaitSettled();
    return ids;
  }

  /**
   * Adds an instance, waits until nginx serves it, then removes it: the id of the applied revision
   * that still routes to it, which a rollback would bring back.
   */
  long revisionOfARemovedInstance(String name, String upstream) {
    long id = createSettled(upstream, name)[0];
    long revision = newestApplied().orElseThrow().path("id").asLong();
    long version = api.get("/instances/" + id).body().path("version").asLong();
    ConsoleClient.Answer removed = api.delete("/instances/" + id + "?version=" + version);
    if (removed.status() != 204) {
      throw new AssertionError(removed.body());
    }
    return revision;
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

  /**
   * Waits until the console's background work has settled, so that no revision a test did not ask
   * for comes after this returns: every enabled instance is RUNNING and healthy, the models of each
   * (that pins none) have been discovered, nginx serves the newest applied revision and it is the
   * configuration the console would render now, and no new revision came for {@link #QUIET}.
   */
  void awaitSettled() {
    Settling settling = new Settling();
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).untilAsserted(settling::check);
  }

  /** The state {@link #awaitSettled} watches; the quiet period starts again whenever a revision comes. */
  private final class Settling {
    private long newest = -1;
    private long since;

    void check() {
      List<String> unsettled = unsettled();
      JsonNode revisions = api.get("/nginx/revisions").body().path("revisions");
      long now = revisions.isEmpty() ? 0 : revisions.get(0).path("id").asLong();
      if (!unsettled.isEmpty() || now != newest) {
        newest = unsettled.isEmpty() ? now : -1;
        since = System.nanoTime();
        throw new AssertionError("not settled: " + (unsettled.isEmpty() ? "revision " + now + " is new" : unsettled));
      }
      if (System.nanoTime() - since < QUIET.toNanos()) {
        throw new AssertionError("revision " + now + " is the newest for less than " + QUIET.toMillis() + " ms");
      }
    }
  }

  /** What keeps the cluster from being settled now; empty when it is. */
  private List<String> unsettled() {
    List<String> unsettled = new ArrayList<>();
    Set<String> discovered = new HashSet<>();
    for (JsonNode model : api.get("/models").body().path("models")) {
      for (JsonNode instance : model.path("instances")) {
        if (instance.path("source").asText().equals("discovered")) {
          discovered.add(instance.path("name").asText());
        }
      }
    }
    for (JsonNode instance : api.get("/instances").body()) {
      String name = instance.path("name").asText();
      if (!instance.path("enabled").asBoolean()) {
        continue;
      }
      if (!instance.at("/process/state").asText().equals("RUNNING") || !instance.at("/health/healthy").asBoolean()) {
        unsettled.add(name + " is not RUNNING and healthy");
      }
      if (instance.path("models").isEmpty() && !discovered.contains(name)) {
        unsettled.add(name + "'s models are not discovered");
      }
    }
    String rendered = hashOf(api.text("/nginx/config").body());
    String applied = newestApplied().map(revision -> revision.path("hash").asText()).orElse(null);
    String served = servedRevision();
    if (!rendered.equals(applied) || !rendered.equals(served)) {
      unsettled.add("the console would render " + rendered + ", the newest applied revision is " + applied
          + ", nginx serves " + served);
    }
    return unsettled;
  }

  /** The newest revision whose result is applied, without its text. */
  Optional<JsonNode> newestApplied() {
    for (JsonNode revision : api.get("/nginx/revisions").body().path("revisions")) {
      if (revision.path("result").asText().equals("applied")) {
        return Optional.of(revision);
      }
    }
    return Optional.empty();
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
    return chat(model, question, "");
  }

  /**
   * A non-streamed chat through nginx whose query string is this tag (bridges ignore it, nginx's
   * access log keeps it), to find the request there; answers the status, or 0 when no answer came.
   */
  int chatTagged(String tag) {
    return chat("fake-llama", "hi", "?" + tag);
  }

  private int chat(String model, String question, String query) {
    Request request = new Request.Builder().url("http://127.0.0.1:" + nginxPort + "/api/chat" + query)
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

  /** The lines of nginx's access log for the requests sent with {@link #chatTagged} and this tag. */
  List<String> accessLog(String tag) throws IOException {
    return java.nio.file.Files.readAllLines(data.resolve("nginx/logs/access.log")).stream()
        .filter(line -> line.contains("?" + tag)).toList();
  }

  /** nginx's whole error log, to tell whether it ever tried an address. */
  String errorLog() throws IOException {
    return java.nio.file.Files.readString(data.resolve("nginx/logs/error.log"));
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

  /**
   * Closes the console, then kills the bridges and the nginx it leaves running by design: no draining
   * one instance at a time, and a failure of either step does not skip the other.
   */
  @Override
  public void close() {
    try {
      // the console first, or its supervisor starts again what is killed next
      console.close();
    } finally {
      LeftoverProcesses.kill(data);
    }
  }

  private static String hashOf(String config) {
    Matcher matcher = REVISION.matcher(config);
    return matcher.find() ? matcher.group(1) : "unknown";
  }

}
