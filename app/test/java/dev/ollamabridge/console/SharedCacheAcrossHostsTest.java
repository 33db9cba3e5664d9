package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.ollamabridge.console.CachingBridges.PATIENCE;
import static dev.ollamabridge.console.CachingBridges.argv;
import static dev.ollamabridge.console.CachingBridges.awaitConnectedToRedis;
import static dev.ollamabridge.console.CachingBridges.awaitHealthyPid;
import static dev.ollamabridge.console.CachingBridges.chat;
import static dev.ollamabridge.console.CachingBridges.environment;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.RedisServer;
import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cache.redis_url reaches the bridges of every host: set while a bridge runs on a host that joined
 * (a real agent, here on this machine), it is relaunched by its agent with {@code --cache-redis} and
 * the operator's password in its environment only; an answer cached through the console's own bridge
 * is then a hit through the other host's.
 */
class SharedCacheAcrossHostsTest {

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
  private final List<AgentProcess> agents = new ArrayList<>();
  private RedisServer redis;
  private ConsoleApp console;

  @AfterEach
  void stop() {
    Teardown.run(() -> agents.forEach(AgentProcess::close), Teardown.closing(console), () -> {
      if (redis != null) {
        redis.close();
      }
    }, backend::close);
  }

  @Test
  void settingTheUrlRelaunchesTheOtherHostsCachingBridgeAndAHitHereIsAHitThere() throws Exception {
    RedisServer.assumeInstalled();
    redis = RedisServer.start(data);
    Path consoleData = data.resolve("console");
    console = TestConsoles.start(TestConsoles.offline(consoleData)
        .withAgentListener(new HostPort("127.0.0.1", TestPorts.listenPort()), null)
        .withOperator(Setting.CACHE_REDIS_PASSWORD, redis.password()), consoleData);
    ConsoleClient api = TestConsoles.client(console, consoleData);
    ConsoleClient.Answer added = api.post("/hosts", "{\"name\":\"h1\"}");
    agents.add(AgentProcess.joining(added.body().path("command").asText(), "127.0.0.1", data.resolve("h1"), null, null));
    await().atMost(PATIENCE).until(() -> api.get("/hosts/h1").body().path("state").asText().equals("Ready"));
    JsonNode local = create(api, "{\"name\":\"here\",\"cache_enabled\":true,\"upstream_url\":\"%s\"}");
    JsonNode remote = create(api, "{\"name\":\"there\",\"host\":\"h1\",\"port\":" + TestPorts.listenPort()
        + ",\"cache_enabled\":true,\"upstream_url\":\"%s\"}");
    long localBefore = awaitHealthyPid(api, local, 0);
    long remoteBefore = awaitHealthyPid(api, remote, 0);

    assertThat(api.patch("/settings", "{\"cache.redis_url\":\"" + redis.url() + "\"}").status()).isEqualTo(200);

    awaitHealthyPid(api, local, localBefore);
    long remoteAfter = awaitHealthyPid(api, remote, remoteBefore);
    assertThat(argv(remoteAfter)).containsSubsequence("--cache-redis", redis.url());
    assertThat(String.join(" ", argv(remoteAfter))).doesNotContain(redis.password());
    assertThat(environment(remoteAfter)).contains("BRIDGE_CACHE_REDIS_PASSWORD=" + redis.password());
    await().atMost(PATIENCE).until(() -> api.get("/cache").body().path("state").asText().equals("connected"));

    awaitConnectedToRedis(local);
    awaitConnectedToRedis(remote);
    Response miss = chat(local);
    await().atMost(PATIENCE).until(() -> redis.cli("DBSIZE").equals("(integer) 1")); // stored after the answer
    Response hit = chat(remote);

    assertThat(miss.header("bridge-cache-hit")).isEqualTo("false");
    assertThat(hit.header("bridge-cache-hit")).as("the other host's bridge answered from Redis").isEqualTo("true");
    assertThat(backend.stats().requests()).isEqualTo(1);
  }

  private JsonNode create(ConsoleClient api, String json) {
    return CachingBridges.create(api, json, backend.baseUrl());
  }
}
