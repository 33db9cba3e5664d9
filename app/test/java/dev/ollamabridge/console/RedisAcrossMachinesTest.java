package dev.ollamabridge.console;

import static dev.ollamabridge.console.CachingBridges.PATIENCE;
import static dev.ollamabridge.console.CachingBridges.awaitConnectedToRedis;
import static dev.ollamabridge.console.CachingBridges.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.RedisServer;
import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared cache across machines: the console's managed Redis in the root namespace, a caching
 * bridge on each of two hosts (network namespaces). A question answered through h1's bridge is a hit
 * through h2's; Redis killed under load costs no request, and once the console's supervisor has it
 * back the bridges share answers again by themselves.
 */
class RedisAcrossMachinesTest {

  private static final String QUESTION = "{\"model\":\"fake-llama\",\"stream\":false,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";

  @TempDir Path data;
  private HostsCluster cluster;
  private FakeOllama backend;
  private ManagedNginxFixture nginx;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(cluster));
  }

  @Test
  void anAnswerFromH1IsAHitOnH2AndRedisKilledUnderLoadCostsNoRequest() throws Exception {
    RedisServer.assumeInstalled();
    cluster = HostsCluster.create(data, "h1", "h2");
    backend = cluster.backend;
    nginx = cluster.nginx;
    ConsoleClient.Answer managed = nginx.api.patch("/settings", "{\"cache.redis_managed\":\""
        + new HostPort(cluster.net.rootAddress(), TestPorts.listenPort()) + "\"}");
    assertThat(managed.status()).as(String.valueOf(managed.body())).isEqualTo(200);
    cluster.joinAll("h1", "h2");
    JsonNode b1 = bridge("b1", "h1");
    JsonNode b2 = bridge("b2", "h2");
    await().atMost(PATIENCE).until(() -> nginx.api.get("/cache").body().path("state").asText().equals("connected"));
    awaitConnectedToRedis(b1);
    awaitConnectedToRedis(b2);

    assertSharedBetween(b1, b2, "what does a cache shared across hosts do?");

    long redisPid = nginx.api.get("/cache").body().at("/managed/pid").asLong();
    try (ChatLoad load = new ChatLoad(nginx.nginxPort, 40)) {
      load.awaitMore(20);
      ProcessHandle.of(redisPid).orElseThrow().destroyForcibly(); // kill -9: the console's supervisor starts another
      load.awaitMore(40);
      await().atMost(PATIENCE).until(() -> nginx.api.get("/cache").body().at("/managed/pid").asLong() != redisPid
          && nginx.api.get("/cache").body().path("state").asText().equals("connected"));
      load.awaitMore(20);
      load.stop();
      assertThat(load.failures).as("requests that failed while Redis was away").isEmpty();
      System.out.printf("redis killed: %d requests through nginx, slowest %d ms%n", load.answered.get(),
          load.slowestMs.get());
    }

    awaitConnectedToRedis(b1);
    awaitConnectedToRedis(b2);
    assertSharedBetween(b1, b2, "and once Redis is back?");
  }

  /** The question through {@code first} is a miss; through {@code second} a hit, from Redis: the backend is asked once. */
  private void assertSharedBetween(JsonNode first, JsonNode second, String question) throws Exception {
    long asked = backend.stats().requests();
    long stored = keysInRedis();
    String body = QUESTION.formatted(question);
    try (Response miss = chat(first, body)) {
      assertThat(miss.header("bridge-cache-hit")).isEqualTo("false");
    }
    // written to Redis in the background after the answer: until then h2 would ask the backend itself
    await().atMost(PATIENCE).until(() -> keysInRedis() > stored);
    try (Response hit = chat(second, body)) {
      assertThat(hit.header("bridge-cache-hit")).as("h2's bridge answered from Redis").isEqualTo("true");
    }
    assertThat(backend.stats().requests()).isEqualTo(asked + 1);
  }

  /** DBSIZE of the console's managed Redis, asked with redis-cli (its password in the environment, never the argv). */
  private long keysInRedis() throws Exception {
    HostPort address = HostPort.parse(nginx.api.get("/cache").body().path("url").asText().replace("redis://", ""));
    ProcessBuilder cli = new ProcessBuilder("redis-cli", "-h", address.host(), "-p", String.valueOf(address.port()),
        "--no-auth-warning", "DBSIZE").redirectErrorStream(true);
    cli.environment().put("REDISCLI_AUTH", Files.readString(data.resolve("redis/password")).strip());
    Process process = cli.start();
    String output = new String(process.getInputStream().readAllBytes()).strip();
    process.waitFor();
    return output.matches("\\d+") ? Long.parseLong(output) : -1;
  }

  private JsonNode bridge(String name, String host) {
    JsonNode created = CachingBridges.create(nginx.api, "{\"name\":\"" + name + "\",\"host\":\"" + host
        + "\",\"cache_enabled\":true,\"upstream_url\":\"%s\"}", backend.baseUrl());
    nginx.awaitHealthy(created.path("id").asLong());
    return created;
  }
}
