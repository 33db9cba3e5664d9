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
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.RedisServer;
import dev.ollamabridge.testing.TestPorts;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bridges the console launches share its Redis: turning the managed Redis on relaunches the running
 * bridges with the cache on, one at a time, with {@code --cache-redis} on their command line and the
 * password only in their environment; then an answer cached through one is a hit through the other,
 * whose own cache directory is empty. A bridge with the cache off is left running as it was.
 */
class SharedCacheBridgesTest {

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
  private ConsoleApp console;

  @AfterEach
  void stop() {
    try {
      if (console != null) {
        console.close();
      }
    } finally {
      backend.close();
    }
  }

  @Test
  void turningTheManagedRedisOnRelaunchesTheCachingBridgesAndAHitOnOneIsAHitOnTheOther() throws Exception {
    RedisServer.assumeInstalled();
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    JsonNode a = create(api, "a", true);
    JsonNode b = create(api, "b", true);
    JsonNode plain = create(api, "plain", false);
    long aBefore = awaitHealthyPid(api, a, 0);
    long bBefore = awaitHealthyPid(api, b, 0);
    long plainBefore = awaitHealthyPid(api, plain, 0);
    int port = TestPorts.listenPort();

    assertThat(api.patch("/settings", "{\"cache.redis_managed\":\"127.0.0.1:" + port + "\"}").status()).isEqualTo(200);

    long aAfter = awaitHealthyPid(api, a, aBefore);
    long bAfter = awaitHealthyPid(api, b, bBefore);
    String password = Files.readString(data.resolve("redis/password")).strip();
    for (long pid : List.of(aAfter, bAfter)) {
      assertThat(argv(pid)).containsSubsequence("--cache-redis", "redis://127.0.0.1:" + port);
      assertThat(String.join(" ", argv(pid))).doesNotContain(password);
      assertThat(environment(pid)).contains("BRIDGE_CACHE_REDIS_PASSWORD=" + password);
    }
    assertThat(api.get("/instances/" + plain.path("id").asLong()).body().at("/process/pid").asLong())
        .as("the bridge without a cache keeps running").isEqualTo(plainBefore);
    assertThat(argv(plainBefore)).doesNotContain("--cache-redis");

    awaitConnectedToRedis(a);
    awaitConnectedToRedis(b);
    Response miss = chat(a);
    awaitStored(port, password); // a bridge stores in the background, after its answer
    Response hit = chat(b);

    assertThat(miss.header("bridge-cache-hit")).isEqualTo("false");
    assertThat(hit.header("bridge-cache-hit")).as("b never asked the backend: the answer came from Redis").isEqualTo("true");
    assertThat(backend.stats().requests()).isEqualTo(1);
    assertThat(hit.body().string()).contains("\"done\":true");
  }

  @Test
  void aConsoleRestartedWithAnotherPasswordRelaunchesTheCachingBridgesWithIt() throws Exception {
    RedisServer.assumeInstalled();
    try (RedisServer redis = RedisServer.start(data.resolve("own-redis"))) {
      console = TestConsoles.start(TestConsoles.offline(data).withOperator(Setting.CACHE_REDIS_PASSWORD, "an-old-password"), data);
      ConsoleClient api = TestConsoles.client(console, data);
      assertThat(api.patch("/settings", "{\"cache.redis_url\":\"" + redis.url() + "\"}").status()).isEqualTo(200);
      JsonNode a = create(api, "a", true);
      long before = awaitHealthyPid(api, a, 0);
      assertThat(environment(before)).contains("BRIDGE_CACHE_REDIS_PASSWORD=an-old-password");
      await().atMost(PATIENCE).until(() -> api.get("/cache").body().path("state").asText().equals("refused"));
      console.close();

      console = TestConsoles.start(TestConsoles.offline(data).withOperator(Setting.CACHE_REDIS_PASSWORD, redis.password()), data);

      long after = awaitHealthyPid(TestConsoles.client(console, data), a, before);
      assertThat(environment(after)).contains("BRIDGE_CACHE_REDIS_PASSWORD=" + redis.password());
      awaitConnectedToRedis(a);
    }
  }

  /** Until the managed Redis holds an entry, asked as a bridge asks it (with the password). */
  private static void awaitStored(int port, String password) {
    RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port)
        .withPassword(password.toCharArray()).build());
    try (StatefulRedisConnection<String, String> redis = client.connect()) {
      await().atMost(PATIENCE).until(() -> redis.sync().dbsize() > 0);
    } finally {
      client.shutdown();
    }
  }

  private JsonNode create(ConsoleClient api, String name, boolean cache) {
    return CachingBridges.create(api, "{\"name\":\"" + name + "\",\"upstream_url\":\"%s\",\"cache_enabled\":" + cache + "}",
        backend.baseUrl());
  }
}
