package dev.ollamabridge.bridge;

import static dev.ollamabridge.bridge.KeyFiles.key;
import static dev.ollamabridge.bridge.KeyFiles.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.link.KeyRule;
import dev.ollamabridge.link.KeyRules;
import dev.ollamabridge.testing.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /** Keys for attempts that a Redis command timing out under load spoils. */
  private static final int ATTEMPTS = 4;

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
    List<String> three = new ArrayList<>();
    List<String> budget = new ArrayList<>();
    List<KeyRule> keys = new ArrayList<>();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      three.add(secret());
      budget.add(secret());
      keys.add(key("three" + attempt, three.get(attempt), List.of(), 3, 0));
      keys.add(key("budget" + attempt, budget.get(attempt), List.of(), 0, 10));
    }
    String local = secret();
    keys.add(key("local", local, List.of(), 2, 0));
    Path file = dir.resolve("client-keys.json");
    KeyFiles.write(file, new KeyRules(true, keys));
    BridgeServer a = bridge("a", file);
    BridgeServer b = bridge("b", file);

    sharedAttempt(attempt -> {
      ClientKeysTest.awaitEarlyInAMinute();
      long minute = System.currentTimeMillis() / 60_000;
      String key = three.get(attempt);
      List<Integer> codes = List.of(status(a, key, 1), status(b, key, 2), status(a, key, 3), status(b, key, 4));
      return () -> {
        assertThat(codes).as("the fourth request in a minute is refused, whichever bridge takes it")
            .containsExactly(200, 200, 200, 429);
        assertThat(redis.cli("GET", "ollama-bridge:key:three" + attempt + ":m:" + minute)).isEqualTo("\"4\"");
        assertThat(redis.cli("TTL", "ollama-bridge:key:three" + attempt + ":m:" + minute)).matches("\\(integer\\) 1[0-2]\\d");
      };
    }, a, b);
    sharedAttempt(attempt -> {
      String key = budget.get(attempt);
      double errorsAtStart = redisErrors(a, b);
      // a question of its own in each attempt: a cached answer (an earlier attempt's) spends no tokens
      int first = status(a, key, 100 + attempt); // 6 prompt and 8 completion tokens, spent through a
      String spentKey = "ollama-bridge:key:budget" + attempt + ":d:" + System.currentTimeMillis() / 86_400_000;
      // tokens are counted once the answer is written, which its client may see a moment before
      await().atMost(Duration.ofSeconds(10)).until(() -> redis.cli("GET", spentKey).equals("\"14\"")
          || redisErrors(a, b) > errorsAtStart);
      String refusal;
      int second;
      try (Response refused = post(b, key, 200 + attempt)) {
        second = refused.code();
        refusal = TestBridges.body(refused);
      }
      return () -> {
        assertThat(List.of(first, second)).containsExactly(200, 429);
        assertThat(refusal).contains("has spent its 10 tokens for today");
        assertThat(redis.cli("GET", spentKey)).isEqualTo("\"14\"");
      };
    }, a, b);
    long backendCalls = backend.stats().requests();

    ClientKeysTest.awaitEarlyInAMinute();
    redis.kill();
    assertThat(List.of(status(a, local, 7), status(b, local, 8), status(a, local, 9), status(b, local, 10)))
        .as("each bridge counts the key's two requests a minute on its own").containsOnly(200);
    assertThat(List.of(status(a, local, 11), status(b, local, 12))).containsOnly(429);
    assertThat(backend.stats().requests()).isEqualTo(backendCalls + 4);
    await().atMost(Duration.ofSeconds(30)).until(() -> redisState(a).equals("unreachable"));
  }

  /**
   * Runs {@code attempt} with a key of its own, once every bridge has Redis, until one goes through
   * with no Redis command failing: a command that outlasts its 200 ms under load is counted on its
   * bridge alone, as designed, which spoils the attempt but not the test. An attempt with no failed
   * command is checked at once.
   */
  private static void sharedAttempt(IntFunction<Runnable> attempt, BridgeServer... bridges) {
    for (int i = 0; i < ATTEMPTS; i++) {
      for (BridgeServer bridge : bridges) {
        await().atMost(Duration.ofSeconds(30)).until(() -> redisState(bridge).equals("connected"));
      }
      double errorsBefore = redisErrors(bridges);
      Runnable check = attempt.apply(i);
      boolean spoiled = redisErrors(bridges) != errorsBefore
          || Arrays.stream(bridges).anyMatch(bridge -> !redisState(bridge).equals("connected"));
      if (!spoiled || i == ATTEMPTS - 1) {
        check.run();
        return;
      }
    }
  }

  private static String redisState(BridgeServer bridge) {
    return TestBridges.json(TestBridges.get(bridge, "/health")).at("/cache/redis/state").asText();
  }

  private static double redisErrors(BridgeServer... bridges) {
    double errors = 0;
    for (BridgeServer bridge : bridges) {
      Matcher count = Pattern.compile("(?m)^bridge_cache_redis_errors_total (\\S+)$")
          .matcher(TestBridges.body(TestBridges.get(bridge, "/metrics")));
      errors += count.find() ? Double.parseDouble(count.group(1)) : 0;
    }
    return errors;
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
