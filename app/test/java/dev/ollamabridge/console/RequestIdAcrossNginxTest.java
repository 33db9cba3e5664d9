package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.bridge.BridgeConfig;
import dev.ollamabridge.bridge.BridgeServer;
import dev.ollamabridge.bridge.requestlog.RequestLog;
import dev.ollamabridge.bridge.requestlog.RequestLogConfig;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request is followed from nginx's JSON access log to the bridge's request log by its id: the
 * client's own {@code X-Request-Id}, or the one nginx made, which the bridge takes and answers.
 */
class RequestIdAcrossNginxTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private static final List<String> NGINX_KEYS = List.of("time", "id", "client", "method", "uri", "status", "bytes_out",
      "request_time", "upstream", "upstream_status", "upstream_time", "model");

  @TempDir Path data;
  @TempDir Path bridgeDir;
  private FakeOllama backend;
  private BridgeServer bridge;
  private ManagedNginxFixture nginx;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(nginx), Teardown.closing(bridge), Teardown.closing(backend));
  }

  @Test
  void nginxAndTheBridgeLogARequestUnderTheSameId() throws Exception {
    backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(5));
    Path bridgeLog = bridgeDir.resolve("requests.jsonl");
    bridge = BridgeServer.start(config(backend.baseUrl(), bridgeLog));
    nginx = new ManagedNginxFixture(data);
    ConsoleClient.Answer created = nginx.api.post("/instances",
        "{\"name\":\"outside\",\"managed\":false,\"listen_host\":\"127.0.0.1\",\"port\":" + bridge.port() + "}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    nginx.awaitServing("outside");

    String givenId = "follow-me:1";
    assertThat(chat(Optional.of(givenId))).isEqualTo(givenId);
    String madeId = chat(Optional.empty());
    assertThat(madeId).as("nginx's own id, which the bridge took and answered").matches("[0-9a-f]{32}");

    Path accessLog = data.resolve("nginx/logs/requests.jsonl");
    JsonNode given = await().atMost(ManagedNginxFixture.PATIENCE).until(() -> line(accessLog, givenId), Optional::isPresent)
        .orElseThrow();
    JsonNode made = await().atMost(ManagedNginxFixture.PATIENCE).until(() -> line(accessLog, madeId), Optional::isPresent)
        .orElseThrow();
    assertThat(fieldNames(given)).containsExactlyElementsOf(NGINX_KEYS);
    assertThat(given.path("method").asText()).isEqualTo("POST");
    assertThat(given.path("uri").asText()).isEqualTo("/api/chat");
    assertThat(given.path("status").asInt()).isEqualTo(200);
    assertThat(given.path("upstream").asText()).isEqualTo("127.0.0.1:" + bridge.port());
    assertThat(given.path("request_time").isNumber()).isTrue();
    assertThat(made.path("status").asInt()).isEqualTo(200);

    JsonNode bridgeGiven = await().atMost(ManagedNginxFixture.PATIENCE).until(() -> line(bridgeLog, givenId),
        Optional::isPresent).orElseThrow();
    JsonNode bridgeMade = await().atMost(ManagedNginxFixture.PATIENCE).until(() -> line(bridgeLog, madeId),
        Optional::isPresent).orElseThrow();
    assertThat(bridgeGiven.path("route").asText()).isEqualTo("/api/chat");
    assertThat(bridgeGiven.path("status").asInt()).isEqualTo(200);
    assertThat(bridgeMade.path("status").asInt()).isEqualTo(200);
  }

  /** A chat through nginx, with or without an id of the client's; the id the answer carries. */
  private String chat(Optional<String> id) throws IOException {
    Request.Builder request = new Request.Builder().url("http://127.0.0.1:" + nginx.nginxPort + "/api/chat")
        .post(RequestBody.create("{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            MediaType.get("application/json")));
    id.ifPresent(value -> request.header("X-Request-Id", value));
    try (Response response = HTTP.newCall(request.build()).execute()) {
      assertThat(response.code()).as(response.body().string()).isEqualTo(200);
      return response.header("x-request-id");
    }
  }

  private static Optional<JsonNode> line(Path log, String id) {
    try {
      if (!Files.exists(log)) {
        return Optional.empty();
      }
      for (String text : Files.readAllLines(log)) {
        JsonNode line = JSON.readTree(text);
        if (id.equals(line.path("id").asText())) {
          return Optional.of(line);
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> fieldNames(JsonNode line) {
    List<String> names = new ArrayList<>();
    line.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static BridgeConfig config(String upstream, Path log) {
    String checked = BridgeConfig.checkUpstream(upstream);
    return new BridgeConfig(new HostPort("127.0.0.1", 0), checked, BridgeConfig.resolveDialect(checked, "auto"),
        Duration.ofMinutes(5), 0, null, Duration.ofHours(1), 1000, false, null, true, List.of(), 2, 32 * 1024 * 1024,
        Duration.ofSeconds(5), Duration.ofSeconds(10), List.of(), false, false, Map.of(), 0, 0,
        BridgeConfig.DEFAULT_QUEUE_TIMEOUT, null, null, BridgeConfig.DEFAULT_REDIS_MAX_ENTRY_BYTES, null,
        new RequestLogConfig(log, RequestLog.Retention.defaults(), false));
  }
}
