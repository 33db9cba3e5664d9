package dev.ollamabridge.bench;

import dev.ollamabridge.bridge.cache.TierReadTiming;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.testing.RedisServer;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the Redis tier costs on a cache hit, with wrk, in one run: a bridge with its local tiers
 * only (every ask a memory hit), a bridge with the Redis tier whose asks are memory hits too (the
 * tier's cost when Redis is not needed), and a bridge with the Redis tier and a memory and disk tier
 * of one entry, so that nearly every ask is answered from Redis (and fills the memory tier again).
 * All ask the same {@code KEYS} questions in turn. Then one look-up in the disk tier against one in
 * Redis, in-process: the figure behind the order of the tiers.
 *
 * <p>Run with {@code mvn -B -ntp -Predis-bench verify}. Arguments: the jar, seconds per measurement
 * (default 10), connections (default 16). Needs {@code wrk} (installed with apt-get when missing
 * and run as root) and {@code redis-server}.
 */
public final class RedisBenchmark {

  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private static final int KEYS = 200;
  /** Load each bridge gets first, for its JIT compilers. */
  private static final int WARM_UP_SECONDS = 10;

  private final List<Process> processes = new ArrayList<>();
  private final Path work;

  private RedisBenchmark(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args.length > 0 ? args[0] : "target/ollama-bridge.jar");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    Path work = Files.createTempDirectory("redis-bench");
    RedisBenchmark bench = new RedisBenchmark(work);
    try (RedisServer redis = RedisServer.start(work)) {
      bench.run(jar, redis, seconds, connections);
    } finally {
      bench.stop();
    }
    System.exit(0);
  }

  private void run(Path jar, RedisServer redis, int seconds, int connections) throws Exception {
    Wrk.ensureInstalled();
    Map<String, String> password = Map.of("BRIDGE_CACHE_REDIS_PASSWORD", redis.password());
    int backend = TestPorts.listenPort();
    start(List.of(JAVA, "-jar", jar.toString(), "fake-ollama", "-l", "127.0.0.1:" + backend, "--tokens", "64"), Map.of());
    String upstream = "http://127.0.0.1:" + backend;
    int local = bridge(jar, Map.of(), "--ollama", upstream, "--enable-cache", "--cache-dir", work.resolve("local").toString());
    int redisMemory = bridge(jar, password, "--ollama", upstream, "--enable-cache", "--cache-dir",
        work.resolve("redis-memory").toString(), "--cache-redis", redis.url());
    int redisOnly = bridge(jar, password, "--ollama", upstream, "--enable-cache", "--cache-dir",
        work.resolve("redis-only").toString(), "--cache-redis", redis.url(), "--cache-max-entries", "1");
    Path script = work.resolve("questions.lua");
    Files.writeString(script, """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        local n = 0
        request = function()
          n = n + 1
          return wrk.format(nil, nil, nil, '{"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"question ' .. (n %% %d) .. '"}]}')
        end
        """.formatted(KEYS));
    for (int port : new int[] {local, redisMemory, redisOnly}) {
      Wrk.awaitUp(port);
      Wrk.run(port, script, 1, 5); // every question asked once: in the local tiers, and in Redis for the others
    }
    System.out.printf(Locale.ROOT, "%nRedis tier benchmark: cache hits, %d questions asked in turn, wrk -t1 -c%d, %d s"
        + " per measurement after %d s of warm-up, %d cores (wrk, bridges, Redis and backend share them)%n",
        KEYS, connections, seconds, WARM_UP_SECONDS, Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-52s | %9s %6s | %8s %8s%n", "bridge", "req/s", "ratio", "p50 ms", "p99 ms");
    Wrk baseline = null;
    for (var row : List.of(Map.entry("local tiers only (memory hits)", local),
        Map.entry("with Redis tier, memory hits", redisMemory),
        Map.entry("with Redis tier, local tiers of 1 entry (Redis hits)", redisOnly))) {
      Wrk.run(row.getValue(), script, connections, WARM_UP_SECONDS);
      Wrk result = Wrk.run(row.getValue(), script, connections, seconds);
      baseline = baseline == null ? result : baseline;
      System.out.printf(Locale.ROOT, "%-52s | %9.0f %6.2f | %8.2f %8.2f%s%n", row.getKey(), result.perSecond(),
          result.perSecond() / baseline.perSecond(), result.p50Millis(), result.p99Millis(),
          result.errors().isEmpty() ? "" : "  " + result.errors());
    }
    System.out.println(health(redisOnly));

    TierReadTiming.Result timing = TierReadTiming.measure(work.resolve("timing"), redis.url(), redis.password(), 1000, 400, 20_000);
    System.out.printf(Locale.ROOT, "%nOne look-up of a 400-character answer, in-process, 20000 at random among 1000:%n"
        + "  disk tier (page cache):  %s%n  Redis tier (loopback):   %s%n  Redis / disk (p50): %.1f×%n",
        timing.disk(), timing.redis(), timing.redis().p50() / timing.disk().p50());
  }





  private int bridge(Path jar, Map<String, String> environment, String... args) throws IOException {
    int port = TestPorts.listenPort();
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(BridgeLaunch.JVM_FLAGS);
    command.addAll(List.of("-jar", jar.toString(), "bridge", "-l", "127.0.0.1:" + port));
    command.addAll(List.of(args));
    start(command, environment);
    return port;
  }

  private void start(List<String> command, Map<String, String> environment) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(work.resolve("process-" + processes.size() + ".log").toFile());
    builder.environment().putAll(environment);
    processes.add(builder.start());
  }

  private static String health(int port) throws Exception {
    Process curl = new ProcessBuilder("curl", "-s", "http://127.0.0.1:" + port + "/health").start();
    String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    curl.waitFor();
    Matcher cache = Pattern.compile("\"cache\":(\\{.*?\\}\\})").matcher(body);
    return "the Redis-hit bridge's /health cache: " + (cache.find() ? cache.group(1) : body);
  }



  private void stop() throws InterruptedException {
    processes.forEach(Process::destroy);
    for (Process process : processes) {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
