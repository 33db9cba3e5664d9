package dev.ollamabridge.bench;

import dev.ollamabridge.bridge.requestlog.RequestLog;
import dev.ollamabridge.bridge.requestlog.RequestLogLine;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.link.KeyRule;
import dev.ollamabridge.link.KeyRules;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What the client key check and the request log cost per request, in one run: four bridges in front
 * of one fake backend, with neither, with {@code --client-keys-file} (1,000 keys, required; every
 * request presents one), with {@code --request-log}, and with both. Each is loaded with wrk in turn,
 * the order rotated every round, and the median round is printed with its ratio to the bridge with
 * neither. Two loads: answers from the backend (a non-streamed chat of 16 tokens, cache off) and cache
 * hits (the same question again, so that the bridge itself is nearly all the work).
 *
 * <p>Run with {@code mvn -B -ntp -Prequest-cost-bench verify}. Arguments: the jar, seconds per
 * measurement (default 5), rounds (default 3), connections (default 16), and {@code in-process} to measure the
 * request log in-process only. Needs {@code wrk}.
 */
public final class RequestCostBenchmark {

  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private static final int KEYS = 1000;
  private static final int WARM_UP_SECONDS = 10;
  private static final List<String> VARIANTS = List.of("neither", "keys", "request log", "keys + request log");

  private final List<Process> processes = new ArrayList<>();
  private final Path work;

  private RequestCostBenchmark(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args.length > 0 ? args[0] : "target/ollama-bridge.jar");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int connections = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    boolean inProcessOnly = args.length > 4 && args[4].equals("in-process");
    RequestCostBenchmark bench = new RequestCostBenchmark(Files.createTempDirectory("request-cost-bench"));
    try {
      if (inProcessOnly) {
        bench.writerCost();
      } else {
        bench.run(jar, seconds, rounds, connections);
      }
    } finally {
      bench.stop();
    }
    System.exit(0);
  }

  private void run(Path jar, int seconds, int rounds, int connections) throws Exception {
    Wrk.ensureInstalled();
    String secret = keysFile(work.resolve("client-keys.json"));
    int backend = TestPorts.listenPort();
    start(List.of(JAVA, "-jar", jar.toString(), "fake-ollama", "-l", "127.0.0.1:" + backend, "--tokens", "16"));
    String upstream = "http://127.0.0.1:" + backend;
    System.out.printf(Locale.ROOT, "%nRequest cost benchmark: the key check (%d keys, required) and the request log,"
        + " wrk -t1 -c%d, %d s per measurement, median of %d rounds (order rotated), after %d s of warm-up each;"
        + " %d cores shared by wrk, the bridges and the backend%n", KEYS, connections, seconds, rounds, WARM_UP_SECONDS,
        Runtime.getRuntime().availableProcessors());
    Path question = script("question.lua", secret, false);
    Path same = script("same.lua", secret, true);
    Map<String, Integer> fromBackend = bridges(jar, upstream, false);
    measure("answers from the backend (16 tokens, cache off)", fromBackend, question, seconds, rounds, connections);
    Map<String, Integer> fromCache = bridges(jar, upstream, true);
    measure("cache hits", fromCache, same, seconds, rounds, connections);
    writerCost();
    for (Map<String, Integer> set : List.of(fromBackend, fromCache)) {
      for (String variant : List.of("request log", "keys + request log")) {
        System.out.printf(Locale.ROOT, "%s (port %d): %s%n", variant, set.get(variant), dropped(set.get(variant)));
      }
    }
  }

  /**
   * The request log in-process, apart from the noise of HTTP: what {@link RequestLog#add} costs the
   * request's thread, and the CPU its writer thread spends per line (encoding, writing, rotating).
   */
  private void writerCost() throws Exception {
    int lines = 200_000;
    int threads = 4;
    RequestLogLine line = new RequestLogLine(Instant.now(), "0123456789abcdef0123456789abcdef", "bench-500", "501",
        "fake-llama", "fake-llama", "/api/chat", "ollama", "ollama", false, 200, "miss", 4, 3L, 12L, 16L, 120L, 480L,
        "127.0.0.1", 0, null, null, null);
    AtomicLong dropped = new AtomicLong();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long addNanos;
    long writerCpu;
    try (RequestLog log = RequestLog.open(work.resolve("in-process/requests.jsonl"), RequestLog.Retention.defaults(),
        false, dropped::incrementAndGet)) {
      Thread writer = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("request-log"))
          .findFirst().orElseThrow();
      long writerBefore = cpu.getThreadCpuTime(writer.getId());
      AtomicLong spent = new AtomicLong();
      List<Thread> callers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread caller = new Thread(() -> {
          for (int i = 0; i < lines / threads; i++) {
            long start = System.nanoTime();
            log.add(line);
            spent.addAndGet(System.nanoTime() - start);
            if (i % 10 == 0) {
              LockSupport.parkNanos(1_000_000); // about 10,000 lines a second per thread: a busy bridge's rate
            }
          }
        });
        callers.add(caller);
        caller.start();
      }
      for (Thread caller : callers) {
        caller.join();
      }
      addNanos = spent.get();
      Thread closing = new Thread(log::close); // writes what is queued, then ends the writer
      closing.start();
      long last = writerBefore;
      while (writer.isAlive()) { // its CPU time can be read only while it lives: the last reading before it ends
        long now = cpu.getThreadCpuTime(writer.getId());
        last = now >= 0 ? now : last;
        Thread.sleep(1);
      }
      closing.join();
      writerCpu = last - writerBefore;
    }
    System.out.printf(Locale.ROOT, "%nrequest log in-process, %d lines from %d threads: add() %.2f µs per line on the"
        + " request's thread; the writer thread %.2f µs CPU per line; %d dropped%n", lines, threads,
        addNanos / 1000.0 / lines, writerCpu / 1000.0 / (lines - dropped.get()), dropped.get());
  }

  /** The four bridges, on free ports, each with its own request log and cache directory. */
  private Map<String, Integer> bridges(Path jar, String upstream, boolean cache) throws Exception {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String variant : VARIANTS) {
      String dir = (cache ? "cache-" : "backend-") + variant.replaceAll("[^a-z]+", "-");
      List<String> args = new ArrayList<>(List.of("--ollama", upstream));
      if (cache) {
        args.addAll(List.of("--enable-cache", "--cache-dir", work.resolve(dir).resolve("cache").toString()));
      }
      if (variant.contains("keys")) {
        args.addAll(List.of("--client-keys-file", work.resolve("client-keys.json").toString()));
      }
      if (variant.contains("log")) {
        args.addAll(List.of("--request-log", work.resolve(dir).resolve("requests.jsonl").toString()));
      }
      ports.put(variant, bridge(jar, args));
    }
    for (int port : ports.values()) {
      Wrk.awaitUp(port);
    }
    return ports;
  }

  private void measure(String load, Map<String, Integer> ports, Path script, int seconds, int rounds, int connections)
      throws Exception {
    for (int port : ports.values()) {
      Wrk.run(port, script, connections, WARM_UP_SECONDS);
    }
    Map<String, List<Wrk>> results = new LinkedHashMap<>();
    ports.keySet().forEach(variant -> results.put(variant, new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < VARIANTS.size(); i++) {
        String variant = VARIANTS.get((i + round) % VARIANTS.size());
        results.get(variant).add(Wrk.run(ports.get(variant), script, connections, seconds));
      }
    }
    System.out.printf(Locale.ROOT, "%n%s%n%-20s | %9s %6s | %8s %8s | %s%n", load, "bridge", "req/s", "ratio",
        "p50 ms", "p99 ms", "every round's req/s");
    double baseline = median(results.get("neither")).perSecond();
    for (var entry : results.entrySet()) {
      Wrk median = median(entry.getValue());
      System.out.printf(Locale.ROOT, "%-20s | %9.0f %6.3f | %8.2f %8.2f | %s%s%n", entry.getKey(), median.perSecond(),
          median.perSecond() / baseline, median.p50Millis(), median.p99Millis(),
          entry.getValue().stream().map(w -> String.format(Locale.ROOT, "%.0f", w.perSecond())).toList(),
          median.errors().isEmpty() ? "" : "  " + median.errors());
    }
  }

  private static Wrk median(List<Wrk> rounds) {
    List<Wrk> sorted = new ArrayList<>(rounds);
    sorted.sort((a, b) -> Double.compare(a.perSecond(), b.perSecond()));
    return sorted.get(sorted.size() / 2);
  }

  /** 1,000 keys, required; the secret of the one the requests present. */
  private static String keysFile(Path file) throws IOException {
    SecureRandom random = new SecureRandom();
    List<KeyRule> keys = new ArrayList<>();
    String presented = null;
    for (int i = 0; i < KEYS; i++) {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      String secret = "ob-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      presented = i == KEYS / 2 ? secret : presented;
      keys.add(new KeyRule(Integer.toString(i + 1), "bench-" + i, Sha256.hex(secret), List.of(), 0, 0, null, true, false));
    }
    Files.write(file, Json.MAPPER.writeValueAsBytes(new KeyRules(true, keys)));
    return presented;
  }

  private Path script(String name, String secret, boolean sameQuestion) throws IOException {
    return Files.writeString(work.resolve(name), """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Authorization"] = "Bearer %s"
        local n = 0
        request = function()
          n = n + 1
          return wrk.format(nil, nil, nil, '{"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"question %s"}]}')
        end
        """.formatted(secret, sameQuestion ? "same" : "' .. n .. '"));
  }





  /** The request log's drop counter, read from the bridge's /metrics. */
  private static String dropped(int port) throws Exception {
    Process curl = new ProcessBuilder("curl", "-s", "http://127.0.0.1:" + port + "/metrics").start();
    String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    curl.waitFor();
    return Arrays.stream(body.split("\n")).filter(line -> line.startsWith("bridge_request_log_dropped_total"))
        .findFirst().orElse("no bridge_request_log_dropped_total");
  }

  private int bridge(Path jar, List<String> args) throws IOException {
    int port = TestPorts.listenPort();
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(BridgeLaunch.JVM_FLAGS);
    command.addAll(List.of("-jar", jar.toString(), "bridge", "-l", "127.0.0.1:" + port));
    command.addAll(args);
    start(command);
    return port;
  }

  private void start(List<String> command) throws IOException {
    processes.add(new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(work.resolve("process-" + processes.size() + ".log").toFile()).start());
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
