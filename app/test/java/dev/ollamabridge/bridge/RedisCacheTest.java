package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.RedisServer;
import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bridges that name one Redis share their answers, each with its own disk directory; Redis gone
 * or refusing is not an outage, and when it is back it is used again without anyone's help.
 */
class RedisCacheTest {

  private static final String OLLAMA_CHAT = """
      {"model":"fake-llama","messages":[{"role":"user","content":"%s"}],"stream":%s}""";
  private static final String OPENAI_CHAT = """
      {"model":"fake-llama","messages":[{"role":"user","content":"%s"}],"stream":%s}""";

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
  void anAnswerThroughOneBridgeIsAHitThroughAnotherWithItsOwnDisk() {
    redis = RedisServer.start(dir);
    BridgeServer a = bridge("a", redis.password());
    BridgeServer b = bridge("b", redis.password());

    String answer = content(TestBridges.post(a, "/api/chat", OLLAMA_CHAT.formatted("What is Redis?", false)));
    awaitStoredInRedis(1);
    Response whole = TestBridges.post(b, "/api/chat", OLLAMA_CHAT.formatted("What is Redis?", false));

    assertThat(whole.header("bridge-cache-hit")).isEqualTo("true");
    assertThat(content(whole)).isEqualTo(answer);

    TestBridges.body(TestBridges.post(a, "/v1/chat/completions", OPENAI_CHAT.formatted("And a stream?", false)));
    awaitStoredInRedis(2);
    Response streamed = TestBridges.post(b, "/v1/chat/completions", OPENAI_CHAT.formatted("And a stream?", true));

    assertThat(streamed.header("bridge-cache-hit")).isEqualTo("true");
    assertThat(CacheTest.streamedContent(TestBridges.body(streamed))).isNotEmpty();
    assertThat(backend.stats().requests()).as("only bridge a asked the backend").isEqualTo(2);
    assertThat(TestBridges.body(TestBridges.get(b, "/metrics")))
        .contains("bridge_cache_hits_total{tier=\"redis\"} 2.0")
        .contains("bridge_cache_redis_seconds_count");
    JsonNode health = TestBridges.json(TestBridges.get(b, "/health"));
    assertThat(health.at("/cache/redis/state").asText()).isEqualTo("connected");
    assertThat(health.at("/cache/redis/address").asText()).isEqualTo("127.0.0.1:" + redis.port());
    assertThat(health.at("/cache/redis/error").isNull()).isTrue();
  }

  @Test
  void redisKilledUnderLoadFailsNoRequestAndHitsThroughItResumeWhenItIsBack() throws Exception {
    redis = RedisServer.start(dir);
    BridgeServer a = bridge("a", redis.password());
    BridgeServer b = bridge("b", redis.password());
    Load load = new Load(a);
    load.start(4);
    try {
      load.awaitMore(20);
      redis.kill();
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(redisState(a)).isEqualTo("unreachable"));
      load.awaitMore(40);
      assertThat(TestBridges.json(TestBridges.get(a, "/health")).path("status").asText())
          .as("Redis down is not an outage").isEqualTo("ok");

      redis.restart();
      load.awaitMore(40);
    } finally {
      load.stop();
    }

    assertThat(load.failures).as("failed requests").isEmpty();
    AtomicInteger question = new AtomicInteger();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      String asked = "after the restart " + question.incrementAndGet();
      TestBridges.body(TestBridges.post(a, "/api/chat", OLLAMA_CHAT.formatted(asked, false)));
      Response fromB = TestBridges.post(b, "/api/chat", OLLAMA_CHAT.formatted(asked, false));
      TestBridges.body(fromB);
      assertThat(fromB.header("bridge-cache-hit")).isEqualTo("true");
    });
    assertThat(redisState(a)).isEqualTo("connected");
    assertThat(redisState(b)).isEqualTo("connected");
    // the outage is counted when a command failed in it; the tier's probe may find it first and open the
    // breaker before any command is sent (answers from the memory tier send none), so the count may be 0
    assertThat(TestBridges.body(TestBridges.get(a, "/metrics"))).containsPattern("bridge_cache_redis_errors_total \\d");
    System.out.printf("load through the Redis outage: %d requests, latency p50 %d ms, max %d ms%n",
        load.latencies.size(), load.percentile(0.5), load.percentile(1.0));
  }

  @Test
  void redisUnreachableAtStartIsNoObstacle() {
    BridgeServer a = TestBridges.startWithEnvironment(Map.of(), "--ollama", backend.baseUrl(), "--enable-cache",
        "--cache-dir", dir.resolve("a").toString(), "--cache-redis", "redis://127.0.0.1:" + TestPorts.listenPort());
    bridges.add(a);

    Response first = TestBridges.post(a, "/api/chat", OLLAMA_CHAT.formatted("Anyone there?", false));
    Response second = TestBridges.post(a, "/api/chat", OLLAMA_CHAT.formatted("Anyone there?", false));

    assertThat(first.code()).isEqualTo(200);
    assertThat(second.header("bridge-cache-hit")).isEqualTo("true");
    TestBridges.body(first);
    TestBridges.body(second);
    JsonNode health = TestBridges.json(TestBridges.get(a, "/health"));
    assertThat(health.path("status").asText()).isEqualTo("ok");
    assertThat(health.at("/cache/redis/state").asText()).isEqualTo("unreachable");
    assertThat(health.at("/cache/redis/error").asText()).contains("Connection refused");
  }

  @Test
  void aWrongPasswordIsRefusedSaidOnceInTheLogAndAnswersAreServedFromTheLocalTiers() throws Exception {
    redis = RedisServer.start(dir);
    String wrong = "not-" + redis.password();
    Path log = dir.resolve("bridge.log");
    int port = TestPorts.listenPort();
    ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), dev.ollamabridge.Main.class.getName(), "bridge",
        "-l", "127.0.0.1:" + port, "--ollama", backend.baseUrl(), "--enable-cache", "--cache-dir",
        dir.resolve("cache").toString(), "--cache-redis", redis.url())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    command.environment().put("BRIDGE_CACHE_REDIS_PASSWORD", wrong);
    Process bridge = command.start();
    try {
      String base = "http://127.0.0.1:" + port;
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> TestBridges.json(TestBridges.execute(get(base + "/health"))).at("/cache/redis/state").asText(),
              "refused"::equals);
      for (int i = 0; i < 6; i++) {
        try (Response answer = TestBridges.execute(post(base + "/api/chat", OLLAMA_CHAT.formatted("Q" + i % 3, false)))) {
          assertThat(answer.code()).isEqualTo(200);
          assertThat(answer.header("bridge-cache-hit")).isEqualTo(Boolean.toString(i >= 3));
        }
      }
      // several refused attempts (the breaker lets one through every second or more), one line
      await().atMost(Duration.ofSeconds(60)).until(() -> TestBridges.body(TestBridges.execute(get(base + "/metrics"))),
          metrics -> metrics.matches("(?s).*bridge_cache_redis_errors_total [3-9].*"));
      JsonNode health = TestBridges.json(TestBridges.execute(get(base + "/health")));
      assertThat(health.path("status").asText()).isEqualTo("ok");
      // the last error: WRONGPASS, or under heavy load a handshake cut short; never the password
      assertThat(health.at("/cache/redis/error").asText()).doesNotContain(wrong);
      String written = java.nio.file.Files.readString(log);
      assertThat(written.lines().filter(line -> line.contains("refused this bridge"))).hasSize(1);
      assertThat(written).contains("WRONGPASS").doesNotContain(wrong).doesNotContain(redis.password());
      assertThat(bridge.info().commandLine().orElse("")).doesNotContain(wrong);
    } finally {
      bridge.destroy();
      bridge.waitFor();
    }
  }

  private static okhttp3.Request get(String url) {
    return new okhttp3.Request.Builder().url(url).build();
  }

  private static okhttp3.Request post(String url, String json) {
    return new okhttp3.Request.Builder().url(url)
        .post(okhttp3.RequestBody.create(json, okhttp3.MediaType.get("application/json"))).build();
  }

  private BridgeServer bridge(String name, String password) {
    BridgeServer bridge = TestBridges.startWithEnvironment(Map.of("BRIDGE_CACHE_REDIS_PASSWORD", password),
        "--ollama", backend.baseUrl(), "--enable-cache", "--cache-dir", dir.resolve(name).toString(),
        "--cache-redis", redis.url());
    bridges.add(bridge);
    return bridge;
  }

  private void awaitStoredInRedis(int entries) {
    await().untilAsserted(() -> assertThat(redis.cli("DBSIZE")).isEqualTo("(integer) " + entries));
  }

  private static String redisState(BridgeServer bridge) {
    return TestBridges.json(TestBridges.get(bridge, "/health")).at("/cache/redis/state").asText();
  }

  private static String content(Response response) {
    return TestBridges.json(response).at("/message/content").asText();
  }

  /**
   * Clients asking one bridge, each request on its own, until stopped: half of them one of 20
   * questions asked again and again, half new ones (misses, which look in Redis and write to it);
   * what failed is kept.
   */
  private static final class Load {
    private final BridgeServer bridge;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger done = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();

    Load(BridgeServer bridge) {
      this.bridge = bridge;
    }

    void start(int clients) {
      for (int client = 0; client < clients; client++) {
        int seed = client;
        Thread thread = new Thread(() -> {
          for (int i = seed; running.get(); i++) {
            String question = i % 2 == 0 ? "question " + (i % 20) : "new question " + seed + "." + i;
            String body = OLLAMA_CHAT.formatted(question, i % 3 == 0);
            long started = System.nanoTime();
            try (Response response = TestBridges.post(bridge, "/api/chat", body)) {
              String text = response.body().string();
              if (response.code() != 200 || text.contains("\"error\"")) {
                failures.add(response.code() + " " + text);
              }
            } catch (Exception e) {
              failures.add(e.toString());
            }
            latencies.add((System.nanoTime() - started) / 1_000_000);
            done.incrementAndGet();
          }
        }, "redis-load-" + client);
        thread.start();
        threads.add(thread);
      }
    }

    void awaitMore(int requests) {
      int target = done.get() + requests;
      await().atMost(Duration.ofSeconds(120)).until(() -> done.get() >= target);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(60_000);
      }
    }

    long percentile(double p) {
      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
    }
  }
}
