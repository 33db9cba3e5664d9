package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * What the shared-cache tests do with the bridges a console launched: wait for one to run (again,
 * after a relaunch) and for its Redis tier to connect, ask it a question, read its command line and
 * environment as {@code ps} and the kernel show them.
 */
final class CachingBridges {

  static final Duration PATIENCE = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();
  private static final String CHAT = "{\"model\":\"fake-llama\",\"stream\":false,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"what does a shared cache do?\"}]}";

  private CachingBridges() {}

  /** Adds an instance ({@code json} with {@code %s} where its upstream goes); answers its JSON. */
  static JsonNode create(ConsoleClient api, String json, String upstream) {
    ConsoleClient.Answer created = api.post("/instances", json.formatted(upstream));
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    return created.body();
  }

  /** The pid of the bridge once it runs and passes its checks, and is not {@code not} (the one before a relaunch). */
  static long awaitHealthyPid(ConsoleClient api, JsonNode instance, long not) {
    long id = instance.path("id").asLong();
    return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
      JsonNode now = api.get("/instances/" + id).body();
      boolean healthy = now.at("/health/state").asText().equals("healthy") && now.at("/process/state").asText().equals("RUNNING");
      return healthy ? now.at("/process/pid").asLong() : 0L;
    }, pid -> pid != 0 && pid != not);
  }

  /**
   * Until the bridge's /health says its Redis tier is connected: a bridge that could not reach Redis in
   * time at start (a loaded machine) serves from its local tiers until its breaker lets it try again.
   */
  static void awaitConnectedToRedis(JsonNode instance) {
    Request request = new Request.Builder().url(base(instance) + "/health").build();
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
      try (Response response = HTTP.newCall(request).execute()) {
        return JSON.readTree(response.body().string()).at("/cache/redis/state").asText();
      }
    }, "connected"::equals);
  }

  /** The same question each time, straight to the bridge; a 200. */
  static Response chat(JsonNode instance) throws IOException {
    return chat(instance, CHAT);
  }

  /** This chat request, straight to the bridge; a 200. */
  static Response chat(JsonNode instance, String body) throws IOException {
    Request request = new Request.Builder().url(base(instance) + "/api/chat")
        .post(RequestBody.create(body, MediaType.get("application/json"))).build();
    Response response = HTTP.newCall(request).execute();
    assertThat(response.code()).isEqualTo(200);
    return response;
  }

  static List<String> argv(long pid) throws IOException {
    return List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.ISO_8859_1).split("\0"));
  }

  static List<String> environment(long pid) throws IOException {
    return List.of(Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.ISO_8859_1).split("\0"));
  }

  /** Where the bridge is reached: its address, or loopback for one listening on every address or on loopback. */
  private static String base(JsonNode instance) {
    String host = instance.path("listen_host").asText("");
    boolean elsewhere = !host.isEmpty() && !host.equals("0.0.0.0") && !host.equals("::") && !host.startsWith("127.");
    return "http://" + (elsewhere ? host : "127.0.0.1") + ":" + instance.path("port").asInt();
  }
}
