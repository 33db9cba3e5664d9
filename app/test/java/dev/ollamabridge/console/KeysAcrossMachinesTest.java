package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.KeyedChats.Answer;
import dev.ollamabridge.digest.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client keys on another machine for real: a host in a network namespace whose agent runs a bridge;
 * the keys made on the console reach it in the host's desired state, which the agent writes to the
 * file its bridge watches. There a key is refused 401 (none, unknown), 403 (a model it may not use)
 * and 429 (over its rate, over its day's tokens) in both dialects, and a revocation reaches it within
 * seconds (the times are printed).
 */
class KeysAcrossMachinesTest {


  @TempDir Path data;
  private HostsCluster cluster;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(cluster));
  }

  @Test
  void aBridgeOnAnotherHostEnforcesTheKeysAndARevocationReachesIt() throws Exception {
    cluster = HostsCluster.create(data, "h1");
    cluster.joinAll("h1");
    long id = cluster.bridgeOn("h1", "b1");
    String bridge = "http://" + cluster.net.host("h1").address() + ":"
        + cluster.nginx.api.get("/instances/" + id).body().path("port").asInt();
    assertThat(chat(bridge, "/api/chat", "fake-llama", null).code()).as("no key yet: open").isEqualTo(200);

    long began = System.nanoTime();
    String good = create("{\"name\":\"good\"}");
    await().atMost(HostsCluster.PATIENCE).pollInterval(Duration.ofMillis(50))
        .until(() -> chat(bridge, "/api/chat", "fake-llama", null).code() == 401);
    System.out.println("MEASURED first key required at the bridge on h1 " + (System.nanoTime() - began) / 1_000_000
        + " ms after POST answered");
    String llamaOnly = create("{\"name\":\"llama-only\",\"models\":[\"fake-l*\"]}");
    String onePerMinute = create("{\"name\":\"one-per-minute\",\"requests_per_minute\":1}");
    String tinyBudget = create("{\"name\":\"tiny-budget\",\"tokens_per_day\":1}");
    await().atMost(HostsCluster.PATIENCE).until(() -> chat(bridge, "/api/chat", "fake-llama", tinyBudget).code() != 401);

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

    long goodId = cluster.nginx.api.get("/keys").body().findParents("name").stream()
        .filter(key -> key.path("name").asText().equals("good")).findFirst().orElseThrow().path("id").asLong();
    long revoking = System.nanoTime();
    assertThat(cluster.nginx.api.delete("/keys/" + goodId).status()).isEqualTo(204);
    await().atMost(HostsCluster.PATIENCE).pollInterval(Duration.ofMillis(20))
        .until(() -> chat(bridge, "/api/chat", "fake-llama", good).code() == 401);
    System.out.println("MEASURED revoked key refused by the bridge on h1 " + (System.nanoTime() - revoking) / 1_000_000
        + " ms after DELETE answered");
    assertThat(chat(bridge, "/api/chat", "fake-llama", llamaOnly).code()).isEqualTo(200);
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
}
