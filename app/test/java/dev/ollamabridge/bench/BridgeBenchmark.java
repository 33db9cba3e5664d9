package dev.ollamabridge.bench;

import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * Measures what the bridge costs: the same requests straight to the fake backend and through a
 * bridge in front of it, in one run, at several concurrencies, and prints the ratios. The backend
 * and the bridges are separate processes started from the built jar, the bridges with the JVM flags
 * the console launches them with.
 *
 * <p>Run with {@code mvn -Pbench verify} (see README). Arguments: the jar, then optionally the
 * seconds per measurement, the concurrencies, the java that runs the bridges, the scenarios to run
 * (comma-separated parts of their names, or {@code all}) and the java that runs the backends (default:
 * the bridges' one), e.g.
 * {@code target/ollama-bridge.jar 5 1,8,32 /usr/lib/jvm/temurin-25-jdk-amd64/bin/java "first token"}.
 */
public final class BridgeBenchmark {

  private static final MediaType JSON = MediaType.get("application/json");
  /**
   * Load each bridge gets first, for as long as its JIT compilers take on 2 busy cores; the system
   * property {@code bench.jitWarmUpSeconds} shortens it for a quick check (wrk-bench.sh passes its
   * BENCH_JIT_WARMUP).
   */
  private static final Duration JIT_WARM_UP = Duration.ofSeconds(Long.getLong("bench.jitWarmUpSeconds", 20));
  private static final String CACHE_HIT = "cache hit vs. backend";
  private static final String PACED_CACHE_HIT = "cache hit vs. 100 tokens/s backend";
  /** Not named "…first token": wrk-bench.sh picks the unpaced row by that name. */
  private static final String PACED_TTFT = "streamed at 100 tokens/s, TTFT";

  private final OkHttpClient http;
  private final Duration measure;
  private final String bridgeJava;
  private final List<String> scenarios;

  private BridgeBenchmark(Duration measure, int maxConcurrency, String bridgeJava, List<String> scenarios) {
    this.measure = measure;
    this.bridgeJava = bridgeJava;
    this.scenarios = scenarios;
    this.http = new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(maxConcurrency * 2, 1, TimeUnit.MINUTES))
        .readTimeout(Duration.ofSeconds(60))
        .build();
    http.dispatcher().setMaxRequestsPerHost(maxConcurrency * 2);
  }

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args.length > 0 ? args[0] : "target/ollama-bridge.jar");
    Duration measure = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 5);
    int[] concurrencies = Arrays.stream((args.length > 2 ? args[2] : "1,8,32").split(",")).mapToInt(Integer::parseInt).toArray();
    String java = args.length > 3 ? args[3] : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> scenarios = args.length > 4 && !args[4].equals("all") ? List.of(args[4].split(",")) : List.of();
    String backendJava = args.length > 5 ? args[5] : java;
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(jar + " not found: build it first (mvn -DskipTests package)");
    }
    Path cacheDir = Files.createTempDirectory("bench-cache");
    int backendPort = TestPorts.listenPort();
    int bridgePort = TestPorts.listenPort();
    int cachingPort = TestPorts.listenPort();
    int pacedPort = TestPorts.listenPort();
    int pacedCachingPort = TestPorts.listenPort();
    List<Process> processes = new ArrayList<>();
    try {
      processes.add(launch(backendJava, jar, "fake-ollama", "-l", "127.0.0.1:" + backendPort, "--tokens", "64",
          "--control-routes")); // pace() slows it down through /_fake/faults
      processes.add(launchBridge(java, jar, "-l", "127.0.0.1:" + bridgePort, "--ollama", "http://127.0.0.1:" + backendPort));
      processes.add(launchBridge(java, jar, "-l", "127.0.0.1:" + cachingPort, "--ollama", "http://127.0.0.1:" + backendPort,
          "--enable-cache", "--cache-dir", cacheDir.toString()));
      // a backend at a realistic pace (100 tokens/s), where the cache shows what it saves
      processes.add(launch(backendJava, jar, "fake-ollama", "-l", "127.0.0.1:" + pacedPort, "--tokens", "64", "--token-rate", "100"));
      processes.add(launchBridge(java, jar, "-l", "127.0.0.1:" + pacedCachingPort, "--ollama", "http://127.0.0.1:" + pacedPort,
          "--enable-cache", "--cache-dir", cacheDir.resolve("paced").toString()));
      BridgeBenchmark bench = new BridgeBenchmark(measure, Arrays.stream(concurrencies).max().orElse(1), java, scenarios);
      bench.awaitUp("http://127.0.0.1:" + backendPort + "/");
      bench.awaitUp("http://127.0.0.1:" + bridgePort + "/health");
      bench.awaitUp("http://127.0.0.1:" + cachingPort + "/health");
      bench.awaitUp("http://127.0.0.1:" + pacedCachingPort + "/health");
      bench.run(new Targets(local(backendPort), local(bridgePort), local(cachingPort), local(pacedPort),
          local(pacedCachingPort)), concurrencies);
    } finally {
      processes.forEach(Process::destroy);
      for (Process process : processes) {
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Where the benchmark sends its requests: the backend, a bridge before it, a caching one, and a
   * caching bridge before a backend at 100 tokens/s.
   */
  private record Targets(String backend, String bridge, String caching, String paced, String pacedCaching) {}

  private static String local(int port) {
    return "http://127.0.0.1:" + port;
  }

  private void run(Targets to, int[] concurrencies) throws Exception {
    String ollamaChat = chat(false, false);
    String openAiChat = chat(true, false);
    System.out.printf(Locale.ROOT, "%nBridge benchmark: %d s per measurement, %d cores, bridges on %s%n",
        measure.toSeconds(), Runtime.getRuntime().availableProcessors(), bridgeJava);
    System.out.println("Backend: fake-ollama, 64-token answers as fast as it can (last rows: at 100 tokens/s).");
    System.out.println("Load generator, backends and bridges share this machine's cores.");
    int most = Arrays.stream(concurrencies).max().orElse(1);
    String streamed = chat(true, true);
    load(() -> whole(to.bridge() + "/v1/chat/completions", streamed), most, JIT_WARM_UP);
    // the paced caching bridge is not: against a backend that takes 0.64 s an answer, its JIT does not show
    if (selected(CACHE_HIT)) {
      whole(to.caching() + "/api/chat", ollamaChat);
      load(() -> whole(to.caching() + "/api/chat", ollamaChat), most, JIT_WARM_UP);
    }
    System.out.printf(Locale.ROOT, "%n%-44s %4s | %10s %10s %6s | %9s %9s | %9s %9s%n",
        "scenario (direct vs. through the bridge)", "conc", "direct/s", "bridge/s", "ratio", "d p50 ms", "b p50 ms", "d p99 ms", "b p99 ms");
    for (int concurrency : concurrencies) {
      compare("/api/chat, same dialect", concurrency,
          () -> whole(to.backend() + "/api/chat", ollamaChat), () -> whole(to.bridge() + "/api/chat", ollamaChat));
      compare("OpenAI client -> Ollama backend (translated)", concurrency,
          () -> whole(to.backend() + "/v1/chat/completions", openAiChat), () -> whole(to.bridge() + "/v1/chat/completions", openAiChat));
      compare("streamed, time to first token", concurrency,
          () -> firstToken(to.backend() + "/v1/chat/completions", streamed), () -> firstToken(to.bridge() + "/v1/chat/completions", streamed));
      compare("streamed, whole stream", concurrency,
          () -> whole(to.backend() + "/api/chat", chat(false, true)), () -> whole(to.bridge() + "/api/chat", chat(false, true)));
      whole(to.caching() + "/api/chat", ollamaChat); // fill the cache
      compare(CACHE_HIT, concurrency,
          () -> whole(to.backend() + "/api/chat", ollamaChat), () -> whole(to.caching() + "/api/chat", ollamaChat));
      if (selected(PACED_TTFT)) { // the warmed bridge, its backend slowed to 100 tokens/s for the while
        pace(to.backend(), 100);
        compare(PACED_TTFT, concurrency, () -> firstToken(to.backend() + "/v1/chat/completions", streamed),
            () -> firstToken(to.bridge() + "/v1/chat/completions", streamed));
        pace(to.backend(), 0);
      }
      whole(to.pacedCaching() + "/api/chat", ollamaChat);
      compare(PACED_CACHE_HIT, concurrency,
          () -> whole(to.paced() + "/api/chat", ollamaChat), () -> whole(to.pacedCaching() + "/api/chat", ollamaChat));
    }
    System.out.println("\nratio = bridge throughput / direct throughput (1.00 = no cost; above 1 = faster than the backend).");
  }

  private void compare(String scenario, int concurrency, Call direct, Call bridged) throws Exception {
    if (!selected(scenario)) {
      return;
    }
    Duration warmUp = measure.dividedBy(2);
    load(direct, concurrency, warmUp);
    Result straight = load(direct, concurrency, measure);
    load(bridged, concurrency, warmUp);
    Result through = load(bridged, concurrency, measure);
    System.out.printf(Locale.ROOT, "%-44s %4d | %10.0f %10.0f %6.2f | %9.2f %9.2f | %9.2f %9.2f%s%n",
        scenario, concurrency, straight.perSecond(), through.perSecond(), through.perSecond() / straight.perSecond(),
        straight.percentile(50), through.percentile(50), straight.percentile(99), through.percentile(99),
        straight.errors + through.errors > 0 ? "  errors: " + straight.errors + "/" + through.errors : "");
  }

  private boolean selected(String scenario) {
    return scenarios.isEmpty() || scenarios.stream().anyMatch(scenario::contains);
  }

  /** One timed call; answers the milliseconds that count (whole call, or until the first token). */
  @FunctionalInterface
  private interface Call {
    double run() throws IOException;
  }

  private record Result(long count, long errors, double seconds, double[] millis) {
    double perSecond() {
      return count / seconds;
    }

    double percentile(int p) {
      if (millis.length == 0) {
        return Double.NaN;
      }
      return millis[Math.min(millis.length - 1, (int) Math.ceil(p / 100.0 * millis.length) - 1)];
    }
  }

  private Result load(Call call, int concurrency, Duration duration) throws InterruptedException {
    long end = System.nanoTime() + duration.toNanos();
    AtomicLong errors = new AtomicLong();
    List<List<Double>> samples = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      List<Double> mine = new ArrayList<>();
      samples.add(mine);
      Thread worker = new Thread(() -> {
        while (System.nanoTime() < end) {
          try {
            mine.add(call.run());
          } catch (IOException | RuntimeException e) {
            errors.incrementAndGet();
          }
        }
      });
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double[] millis = samples.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).sorted().toArray();
    return new Result(millis.length, errors.get(), seconds, millis);
  }

  /** Sets the fake backend's pace, in tokens per second (0: as fast as it can). */
  private void pace(String backend, int tokensPerSecond) throws IOException {
    try (Response response = http.newCall(post(backend + "/_fake/faults", "{\"token_rate\": " + tokensPerSecond + "}")).execute()) {
      check(response);
    }
  }

  private double whole(String url, String body) throws IOException {
    long start = System.nanoTime();
    try (Response response = http.newCall(post(url, body)).execute()) {
      check(response);
      response.body().bytes();
    }
    return (System.nanoTime() - start) / 1e6;
  }

  private double firstToken(String url, String body) throws IOException {
    long start = System.nanoTime();
    try (Response response = http.newCall(post(url, body)).execute()) {
      check(response);
      BufferedSource source = response.body().source();
      String line;
      double first = Double.NaN;
      while ((line = source.readUtf8Line()) != null) {
        if (Double.isNaN(first) && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
          first = (System.nanoTime() - start) / 1e6;
        }
      }
      if (Double.isNaN(first)) {
        throw new IOException("no content in the stream");
      }
      return first;
    }
  }

  private static void check(Response response) throws IOException {
    if (response.code() != 200) {
      throw new IOException("HTTP " + response.code());
    }
  }

  private static Request post(String url, String body) {
    return new Request.Builder().url(url).post(RequestBody.create(body, JSON)).build();
  }

  private static String chat(boolean openAi, boolean stream) {
    return """
        {"model":"fake-llama","stream":%s,"messages":[{"role":"user","content":"Explain how a load balancer picks a server."}]%s}"""
        .formatted(stream, openAi ? "" : ",\"options\":{\"temperature\":0}");
  }

  private void awaitUp(String url) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
        if (response.code() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(url + " did not come up within 30 s");
  }

  private static Process launch(String java, Path jar, String... args) throws IOException {
    return launch(java, List.of(), jar, List.of(args));
  }

  /** A bridge as the console launches one: its lean JVM flags, then {@code bridge} and the arguments. */
  private static Process launchBridge(String java, Path jar, String... args) throws IOException {
    List<String> bridgeArgs = new ArrayList<>(List.of("bridge"));
    bridgeArgs.addAll(List.of(args));
    return launch(java, BridgeLaunch.JVM_FLAGS, jar, bridgeArgs);
  }

  private static Process launch(String java, List<String> jvmFlags, Path jar, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

}
