package dev.ollamabridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.testing.NetworkHosts;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * What many hosts cost and how fast they come: agents in network namespaces (one per host, each
 * with a fake backend beside it), a console with nginx in the root namespace, all real processes of
 * the jar. Measures the time from Add host to Ready, from an instance added on a host to running and
 * served by nginx, the console's CPU and memory once everything runs, and what each agent sends over
 * its link per minute.
 *
 * <p>Run as root with {@code mvn -Phosts-bench verify} (see README). Arguments: the jar, hosts
 * (default 20), bridges per host (default 5), seconds of the steady-state window (default 60).
 */
public final class HostsBenchmark {

  private static final MediaType JSON = MediaType.get("application/json");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(120)).build();
  private final List<Process> processes = new ArrayList<>();
  private String base;
  private String token;

  public static void main(String[] args) throws Exception {
    String jar = args[0];
    int hosts = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int perHost = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Duration window = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 60);
    new HostsBenchmark().run(jar, hosts, perHost, window);
    System.exit(0);
  }

  private void run(String jar, int hostCount, int perHost, Duration window) throws Exception {
    Path data = Files.createTempDirectory("hosts-bench");
    String[] names = new String[hostCount];
    for (int i = 0; i < hostCount; i++) {
      names[i] = "h" + (i + 1);
    }
    try (NetworkHosts net = NetworkHosts.create(names)) {
      int apiPort = freePort();
      int nginxPort = freePort();
      int agentPort = freePort();
      Process console = start(data.resolve("console.out"), JAVA, "-jar", jar, "console", "--data",
          data.resolve("console").toString(), "--listen", "127.0.0.1:" + apiPort, "--nginx-listen",
          "127.0.0.1:" + nginxPort, "--agent-listen", new HostPort(net.rootAddress(), agentPort).toString());
      base = "http://127.0.0.1:" + apiPort + "/api/v1";
      Path tokenFile = data.resolve("console/admin-token");
      waitFor(Duration.ofSeconds(120), () -> Files.exists(tokenFile) && Files.size(tokenFile) > 0);
      token = Files.readString(tokenFile).strip();
      waitFor(Duration.ofSeconds(120), () -> call("GET", "/hosts", null).isArray());
      call("PATCH", "/settings", "{\"first_port\":20001}");
      List<String> backends = new ArrayList<>();
      for (String host : names) {
        String address = net.host(host).address();
        start(data.resolve(host + "-backend.out"), net.command(host, List.of(JAVA, "-Xmx64m", "-XX:+UseSerialGC", "-jar", jar,
            "fake-ollama", "--listen", address + ":11434")));
        backends.add("http://" + address + ":11434");
      }

      List<Long> toReady = new ArrayList<>();
      long allHostsStarted = System.nanoTime();
      for (String host : names) {
        long started = System.nanoTime();
        String command = call("POST", "/hosts", "{\"name\":\"" + host + "\"}").path("command").asText();
        List<String> argv = new ArrayList<>(List.of(JAVA, "-jar", jar));
        String[] words = command.split(" ");
        for (int i = List.of(words).indexOf("agent"); i < words.length; i++) {
          argv.add(switch (words[i]) {
            case "ADDRESS-OF-THIS-HOST" -> net.host(host).address();
            case "./agent-data" -> data.resolve(host).toString();
            default -> words[i];
          });
        }
        start(data.resolve(host + "-agent.out"), net.command(host, argv));
        waitFor(Duration.ofSeconds(180), () -> call("GET", "/hosts/" + host, null).path("state").asText().equals("Ready"));
        toReady.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      }
      long allHostsMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - allHostsStarted);

      // every host's bridges at once, then each timed until it runs and nginx serves it
      Map<String, Long> added = new LinkedHashMap<>();
      long burstStarted = System.nanoTime();
      for (int b = 0; b < perHost; b++) {
        for (int h = 0; h < hostCount; h++) {
          String name = names[h] + "-b" + (b + 1);
          JsonNode created = call("POST", "/instances", "{\"name\":\"" + name + "\",\"host\":\"" + names[h]
              + "\",\"upstream_url\":\"" + backends.get(h) + "\"}");
          if (!created.has("id")) {
            throw new IllegalStateException("could not add " + name + ": " + created);
          }
          added.put(name, System.nanoTime());
        }
      }
      Map<String, Long> routedAfter = new LinkedHashMap<>();
      Path applied = data.resolve("console/nginx/conf/nginx.conf");
      waitFor(Duration.ofMinutes(15), () -> {
        String config = Files.exists(applied) ? Files.readString(applied) : "";
        JsonNode instances = call("GET", "/instances", null);
        for (JsonNode instance : instances) {
          String name = instance.path("name").asText();
          if (!routedAfter.containsKey(name) && instance.at("/process/state").asText().equals("RUNNING")
              && config.lines().anyMatch(line -> line.endsWith("# " + name) && !line.contains(" down"))) {
            routedAfter.put(name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - added.get(name)));
          }
        }
        return routedAfter.size() == added.size();
      });
      long burstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burstStarted);

      // one more on a settled cluster, five times
      List<Long> single = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String host = names[i % hostCount];
        String name = host + "-extra" + i;
        long started = System.nanoTime();
        call("POST", "/instances", "{\"name\":\"" + name + "\",\"host\":\"" + host + "\",\"upstream_url\":\""
            + backends.get(i % hostCount) + "\"}");
        waitFor(Duration.ofMinutes(3), () -> Files.readString(applied).lines()
            .anyMatch(line -> line.endsWith("# " + name) && !line.contains(" down")));
        single.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      }

      // steady state: the console's CPU and memory, and what the agents send
      Map<String, Long> bytesBefore = linkBytes();
      long cpuBefore = cpuMillis(console.pid());
      long windowStarted = System.nanoTime();
      Thread.sleep(window.toMillis());
      double windowSeconds = (System.nanoTime() - windowStarted) / 1e9;
      long cpu = cpuMillis(console.pid()) - cpuBefore;
      Map<String, Long> bytesAfter = linkBytes();
      List<Long> perMinute = new ArrayList<>();
      bytesAfter.forEach((host, bytes) -> perMinute.add(Math.round((bytes - bytesBefore.getOrDefault(host, 0L)) * 60 / windowSeconds)));

      System.out.printf(Locale.ROOT, "%d hosts, %d bridges (%d per host, then 5 more), on %d cores%n", hostCount,
          hostCount * perHost + 5, perHost, Runtime.getRuntime().availableProcessors());
      System.out.printf(Locale.ROOT, "Add host → Ready (agents one after another): %s; all %d hosts in %.1f s%n",
          summary(toReady), hostCount, allHostsMs / 1000.0);
      System.out.printf(Locale.ROOT, "instance added → RUNNING and served by nginx, %d added at once: %s; all in %.1f s%n",
          added.size(), summary(new ArrayList<>(routedAfter.values())), burstMs / 1000.0);
      System.out.printf(Locale.ROOT, "instance added on a settled cluster → served: %s%n", summary(single));
      System.out.printf(Locale.ROOT, "console at steady state: CPU %.1f%% of one core over %.0f s, RSS %d MiB%n",
          cpu / 10.0 / windowSeconds, windowSeconds, rssKib(console.pid()) / 1024);
      System.out.printf(Locale.ROOT, "reports: %s bytes per host per minute%n", summary(perMinute));
    } finally {
      for (Process process : processes) {
        process.destroyForcibly();
      }
      new ProcessBuilder(JAVA, "-jar", jar, "console", "stop-all", "--data", data.resolve("console").toString())
          .inheritIO().start().waitFor(120, TimeUnit.SECONDS);
      try (var files = Files.walk(data)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private Map<String, Long> linkBytes() throws IOException {
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (JsonNode host : call("GET", "/hosts", null)) {
      if (!host.path("local").asBoolean()) {
        bytes.put(host.path("name").asText(), host.path("link_bytes_received").asLong());
      }
    }
    return bytes;
  }

  private JsonNode call(String method, String path, String body) throws IOException {
    Request.Builder request = new Request.Builder().url(base + path).header("Authorization", "Bearer " + token)
        .method(method, body == null ? null : RequestBody.create(body, JSON));
    try (Response response = http.newCall(request.build()).execute()) {
      String text = response.body().string();
      return text.isBlank() ? MAPPER.nullNode() : MAPPER.readTree(text);
    }
  }

  private Process start(Path output, String... argv) throws IOException {
    return start(output, List.of(argv));
  }

  private Process start(Path output, List<String> argv) throws IOException {
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    processes.add(process);
    return process;
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitFor(Duration patience, Condition condition) throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (IOException e) {
        // not answering yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within " + patience);
      }
      Thread.sleep(100);
    }
  }

  private static String summary(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return String.format(Locale.ROOT, "p50 %d, p90 %d, max %d (n=%d)", sorted.get(sorted.size() / 2),
        sorted.get((int) Math.min(sorted.size() - 1, Math.round(sorted.size() * 0.9))), sorted.get(sorted.size() - 1),
        sorted.size());
  }

  /** utime + stime of a process, in ms (clock ticks are 10 ms on Linux). */
  private static long cpuMillis(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
  }

  private static long rssKib(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(line -> line.startsWith("VmRSS:"))
        .map(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst().orElse(0L);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
