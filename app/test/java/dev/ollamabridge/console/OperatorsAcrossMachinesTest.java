package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.console.KeyedChats.Answer;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.testing.NetworkHosts;
import dev.ollamabridge.testing.WebhookReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator runs a cluster with, on another machine for real: a host in a network namespace
 * whose agent runs a bridge and an edge nginx. Their request logs reach the console's Logs (a request
 * followed from the edge's line to the bridge's by its id); cut off, the host is reported as
 * unanswered there and fires host_not_ready to a webhook, healed it resolves it. Then the client keys
 * made on the console reach it in the host's desired state, which the agent writes to the file its
 * bridge watches: a key is refused 401 (none, unknown), 403 (a model it may not use) and 429 (over its
 * rate, over its day's tokens) in both dialects, and a revocation reaches it within seconds (the times
 * are printed). One cluster for all of it: a cluster takes most of such a test's time.
 */
class OperatorsAcrossMachinesTest {

  private static final Duration PATIENCE = HostsCluster.PATIENCE;
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

  @TempDir Path data;
  private HostsCluster cluster;
  private final WebhookReceiver receiver = new WebhookReceiver();

  @BeforeAll
  static void needsNamespaces() {
    NetworkHosts.assumeSupported();
  }

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(cluster), receiver::close);
  }

  @Test
  void anotherHostsBridgeAndEdgeAreLoggedAlertedAndHoldTheClusterKeys() throws Exception {
    cluster = HostsCluster.create(data, "h1");
    ManagedNginxFixture nginx = cluster.nginx;
    cluster.joinAll("h1");
    assertThat(nginx.api.post("/alerts/webhooks", "{\"name\":\"ops\",\"url\":\"" + receiver.url("/hook") + "\"}")
        .status()).isEqualTo(201);
    assertThat(nginx.api.patch("/hosts/h1", "{\"edge\":true}").status()).isEqualTo(200);
    long id = cluster.bridgeOn("h1", "far");
    String bridge = "http://" + cluster.net.host("h1").address() + ":"
        + nginx.api.get("/instances/" + id).body().path("port").asInt();

    // request logs: the edge's line and the bridge's, joined by the request's id
    await().atMost(PATIENCE).until(() -> chatWithId("http://" + cluster.net.host("h1").address() + ":"
        + nginx.nginxPort, "across-1") == 200);
    assertThat(chatWithId("http://127.0.0.1:" + nginx.nginxPort, "here-1")).isEqualTo(200);
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

    // cut off: unanswered in the logs, and an alert; healed, the alert is resolved
    cluster.net.partition("h1");
    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode all = nginx.api.get("/logs/requests").body();
      assertThat(all.path("unanswered").toString()).contains("h1");
      assertThat(origins(all.path("requests"))).contains("nginx@local").noneMatch(origin -> origin.endsWith("@h1"));
    });
    JsonNode firing = await().atMost(PATIENCE).until(() -> hostAlert("firing"), a -> a != null);
    cluster.net.heal("h1");
    JsonNode resolved = await().atMost(PATIENCE).until(() -> hostAlert("resolved"), a -> a != null);
    assertThat(firing.path("subject").asText()).isEqualTo("h1");
    assertThat(firing.path("message").asText()).contains("host h1 is NotReady");
    assertThat(resolved.path("message").asText()).contains("host h1 is Ready again");

    // client keys
    await().atMost(PATIENCE).ignoreExceptions()
        .until(() -> chat(bridge, "/api/chat", "fake-llama", null).code() == 200);
    long began = System.nanoTime();
    String good = create("{\"name\":\"good\"}");
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
        .until(() -> chat(bridge, "/api/chat", "fake-llama", null).code() == 401);
    System.out.println("MEASURED first key required at the bridge on h1 " + (System.nanoTime() - began) / 1_000_000
        + " ms after POST answered");
    String llamaOnly = create("{\"name\":\"llama-only\",\"models\":[\"fake-l*\"]}");
    String onePerMinute = create("{\"name\":\"one-per-minute\",\"requests_per_minute\":1}");
    String tinyBudget = create("{\"name\":\"tiny-budget\",\"tokens_per_day\":1}");
    await().atMost(PATIENCE).until(() -> chat(bridge, "/api/chat", "fake-llama", tinyBudget).code() != 401);

    Path agentKeys = cluster.agentData("h1").resolve("client-keys.json");
    assertThat(Files.readString(agentKeys)).contains(Sha256.hex(good)).doesNotContain(good.substring(3));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(agentKeys))).isEqualTo("rw-------");
    assertThat(Files.readString(cluster.agentData("h1").resolve("desired.json"))).as("kept with the desired state")
        .contains(Sha256.hex(good));

    for (String route : new String[] {"/v1/chat/completions", "/api/chat"}) {
      boolean openAi = route.startsWith("/v1/");
      assertThat(chat(bridge, route, "fake-llama", good).code()).as(route).isEqualTo(200);
      Answer none = chat(bridge, route, "fake-llama", null);
      assertThat(none.code()).as(route).isEqualTo(401);
      assertDialect(none, openAi, "invalid_api_key");
      Answer unknown = chat(bridge, route, "fake-llama", "ob-" + "Z".repeat(43));
      assertThat(unknown.code()).as(route).isEqualTo(401);
      Answer forbidden = chat(bridge, route, "fake-r1", llamaOnly);
      assertThat(forbidden.code()).as(route).isEqualTo(403);
      assertThat(forbidden.body()).contains("fake-r1");
      assertDialect(forbidden, openAi, "model_not_allowed");
      assertThat(chat(bridge, route, "fake-llama", llamaOnly).code()).as(route).isEqualTo(200);
    }

    // a day's budget of one token: the first answer spends it (counted once it is sent, so the next
    // request may come first), then both dialects are refused
    for (String route : new String[] {"/v1/chat/completions", "/api/chat"}) {
      Answer spent = await().atMost(Duration.ofSeconds(10)).until(() -> chat(bridge, route, "fake-llama", tinyBudget),
          answer -> answer.code() == 429);
      assertThat(spent.retryAfter()).as(route).isNotNull();
      assertDialect(spent, route.startsWith("/v1/"), "budget_exceeded");
    }
    // one request a minute: the second within a minute is refused, in each dialect (a minute may turn between)
    for (String route : new String[] {"/v1/chat/completions", "/api/chat"}) {
      Answer over = await().atMost(Duration.ofSeconds(130)).until(() -> chat(bridge, route, "fake-llama", onePerMinute),
          answer -> answer.code() == 429);
      assertThat(over.retryAfter()).as(route).isNotNull();
      assertDialect(over, route.startsWith("/v1/"), "rate_limit_exceeded");
    }

    long goodId = nginx.api.get("/keys").body().findParents("name").stream()
        .filter(key -> key.path("name").asText().equals("good")).findFirst().orElseThrow().path("id").asLong();
    long revoking = System.nanoTime();
    assertThat(nginx.api.delete("/keys/" + goodId).status()).isEqualTo(204);
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
        .until(() -> chat(bridge, "/api/chat", "fake-llama", good).code() == 401);
    System.out.println("MEASURED revoked key refused by the bridge on h1 " + (System.nanoTime() - revoking) / 1_000_000
        + " ms after DELETE answered");
    assertThat(chat(bridge, "/api/chat", "fake-llama", llamaOnly).code()).isEqualTo(200);
  }

  private JsonNode hostAlert(String state) {
    return receiver.received().stream().filter(b -> b.path("alert").asText().equals("host_not_ready")
        && b.path("state").asText().equals(state)).findFirst().orElse(null);
  }

  private String create(String body) {
    ConsoleClient.Answer created = cluster.nginx.api.post("/keys", body);
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    return created.body().path("secret").asText();
  }

  private static void assertDialect(Answer answer, boolean openAi, String code) {
    if (openAi) {
      assertThat(answer.body()).as(answer.body()).contains("\"code\":\"" + code + "\"").contains("\"message\":");
    } else {
      assertThat(answer.body()).as(answer.body()).startsWith("{\"error\":\"");
    }
  }

  private static Answer chat(String bridge, String route, String model, String key) {
    return KeyedChats.chat(bridge, route, model, key);
  }

  /** Each line's instance (or nginx) and host, as {@code far@h1}. */
  private static List<String> origins(JsonNode lines) {
    List<String> origins = new ArrayList<>();
    lines.forEach(line -> origins.add((line.path("instance").isTextual() ? line.path("instance").asText() : "nginx")
        + "@" + line.path("host").asText()));
    return origins;
  }

  private static int chatWithId(String base, String id) {
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
