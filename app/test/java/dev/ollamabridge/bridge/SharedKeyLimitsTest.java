package dev.ollamabridge.bridge;

import static dev.ollamabridge.bridge.KeyFiles.key;
import static dev.ollamabridge.bridge.KeyFiles.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two bridges with one Redis tier count a key's requests and tokens together, so that its limits
 * hold across them; with Redis gone each counts its own, and no request fails for it.
 */
class SharedKeyLimitsTest {

  private static final String CHAT = """
      {"model":"fake-llama","messages":[{"role":"user","content":"What is two plus two %s"}],"stream":false}""";

  @TempDir Path dir;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(8));
  private final List<BridgeServer> bridges = new ArrayList<>();
  private RedisServer redis;

  @AfterEach
  void stop() {
    bridges.forEach(TestBridges::close);
    backend.close();
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void aKeysRateAndBudgetHoldAcrossBridgesAndRedisGoneFailsNoRequest() {
    redis = RedisServer.start(dir);
    String three = secret();
    String budget = secret();
    String local = secret();
    Path file = dir.resolve("client-keys.json");
    KeyFiles.write(file, true, key("three", three, List.of(), 3, 0), key("budget", budget, List.of(), 0, 10),
        key("local", local, List.of(), 2, 0));
    BridgeServer a = bridge("a", file);
    BridgeServer b = bridge("b", file);
    ClientKeysTest.awaitEarlyInAMinute();
    long minute = System.currentTimeMillis() / 60_000;

    assertThat(List.of(status(a, three, 1), status(b, three, 2), status(a, three, 3))).containsOnly(200);
    try (Response refused = post(b, three, 4)) {
      assertThat(refused.code()).as("the fourth request in a minute, whichever bridge takes it").isEqualTo(429);
      assertThat(TestBridges.json(refused).path("error").asText()).contains("over its 3 requests per minute");
    }
    assertThat(redis.cli("GET", "ollama-bridge:key:three:m:" + minute)).isEqualTo("\"4\"");
    assertThat(redis.cli("TTL", "ollama-bridge:key:three:m:" + minute)).matches("\\(integer\\) 1[0-2]\\d");

    assertThat(status(a, budget, 5)).as("6 prompt and 8 completion tokens spent through a").isEqualTo(200);
    try (Response refused = post(b, budget, 6)) {
      assertThat(refused.code()).isEqualTo(429);
      assertThat(TestBridges.json(refused).path("error").asText()).contains("has spent its 10 tokens for today");
    }
    assertThat(redis.cli("GET", "ollama-bridge:key:budget:d:" + System.currentTimeMillis() / 86_400_000)).isEqualTo("\"14\"");
    long backendCalls = backend.stats().requests();

    redis.kill();
    assertThat(List.of(status(a, local, 7), status(b, local, 8), status(a, local, 9), status(b, local, 10)))
        .as("each bridge counts the key's two requests a minute on its own").containsOnly(200);
    assertThat(List.of(status(a, local, 11), status(b, local, 12))).containsOnly(429);
    assertThat(backend.stats().requests()).isEqualTo(backendCalls + 4);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
        TestBridges.json(TestBridges.get(a, "/health")).at("/cache/redis/state").asText()).isEqualTo("unreachable"));
  }

  private BridgeServer bridge(String name, Path keys) {
    BridgeServer bridge = TestBridges.startWithEnvironment(Map.of("BRIDGE_CACHE_REDIS_PASSWORD", redis.password()),
        "--ollama", backend.baseUrl(), "--enable-cache", "--cache-dir", dir.resolve(name).toString(),
        "--cache-redis", redis.url(), "--client-keys-file", keys.toString());
    bridges.add(bridge);
    return bridge;
  }

  /** A question of its own (no cache hit) with {@code key}. */
  private static Response post(BridgeServer bridge, String key, int question) {
    return TestBridges.post(bridge, "/api/chat", CHAT.formatted(question), "Authorization", "Bearer " + key);
  }

  private static int status(BridgeServer bridge, String key, int question) {
    try (Response response = post(bridge, key, question)) {
      return response.code();
    }
  }
}
