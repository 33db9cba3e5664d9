package dev.ollamabridge.console.instances;

import dev.ollamabridge.console.cache.RedisTarget;
import dev.ollamabridge.console.supervise.ProgramSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The command line a managed instance runs: {@code ollama-bridge bridge …} with lean JVM settings.
 * Secrets go through the environment, not the argv, so they do not show in the process list.
 */
public final class BridgeLaunch {

  /**
   * A bridge is a small I/O-bound proxy: a serial collector and a small heap that gives memory back
   * as soon as a full collection finds it free (measured: under load the heap otherwise grows to its
   * limit with garbage promoted early and stays there, 250 MiB on JDK 25), both compilers (C1 only
   * took twice the CPU per request once warm), and a native heap trimmed every few seconds.
   * bench/wrk-bench.sh measures memory, start-up and speed. A flag an older update of the JDK does not
   * know is skipped, not fatal: the native heap trim came in 17.0.9.
   */
  public static final List<String> JVM_FLAGS = List.of(
      "-XX:+IgnoreUnrecognizedVMOptions",
      "-XX:+UseSerialGC",
      "-Xms8m",
      "-Xmx192m",
      "-XX:MinHeapFreeRatio=10",
      "-XX:MaxHeapFreeRatio=30",
      "-XX:-ShrinkHeapInSteps",
      "-Xss512k",
      "-XX:TrimNativeHeapInterval=5000",
      "-XX:+ExitOnOutOfMemoryError");

  /** How many arguments the listen address, upstream and dialect take, which come first. */
  private static final int UPSTREAM_FLAGS = 6;

  /** The variable that carries the Redis password to a bridge: never its command line, which {@code ps} shows. */
  public static final String REDIS_PASSWORD = "BRIDGE_CACHE_REDIS_PASSWORD";

  private final SelfCommand self;
  private final Path dataDir;
  private final Optional<BridgeArchive> archive;
  private final Supplier<RedisTarget> redis;
  private final Supplier<RequestLogRetention> retention;

  /** Bridges without a shared Redis. */
  public BridgeLaunch(SelfCommand self, Path dataDir, Optional<BridgeArchive> archive) {
    this(self, dataDir, archive, () -> RedisTarget.OFF);
  }

  /**
   * @param archive the class-data archive all bridges map, where the bridges run from a jar
   * @param redis the Redis the bridges with the cache on share now, read at every launch
   */
  public BridgeLaunch(SelfCommand self, Path dataDir, Optional<BridgeArchive> archive, Supplier<RedisTarget> redis) {
    this(self, dataDir, archive, redis, () -> RequestLogRetention.DEFAULT);
  }

  /** @param retention how large and old the bridges' request logs may grow now, read at every launch */
  public BridgeLaunch(SelfCommand self, Path dataDir, Optional<BridgeArchive> archive, Supplier<RedisTarget> redis,
      Supplier<RequestLogRetention> retention) {
    this.self = self;
    this.dataDir = dataDir;
    this.archive = archive;
    this.redis = redis;
    this.retention = retention;
  }

  /** The request logs' size and age the bridges are launched with now, on every host. */
  public RequestLogRetention retention() {
    return retention.get();
  }

  /** Where a bridge the console launches writes its request log: {@code <data>/logs/requests/<name>.jsonl}. */
  public static Path requestLog(Path dataDir, String name) {
    return dataDir.resolve("logs").resolve("requests").resolve(name + ".jsonl");
  }

  /** The Redis the bridges with the cache on are launched with now. */
  public RedisTarget redis() {
    return redis.get();
  }

  /** Where the bridges' shared class-data archive stands; unavailable where the bridges do not run from a jar. */
  public BridgeArchive.Status archiveStatus() {
    return archive.map(BridgeArchive::status).orElseGet(() -> BridgeArchive.Status.unavailable(
        "the bridges run from a class path of directories, not a jar, and such classes cannot be archived"));
  }

  /**
   * How the console runs the instance: the command carries {@link #markers} besides the lean flags, by
   * which a restarted console finds a bridge whose pid file was never written; and the shared
   * class-data archive once it is built.
   */
  public ProgramSpec spec(Instance instance) {
    List<String> markers = markers(dataDir, instance.name());
    List<String> jvmFlags = new ArrayList<>(JVM_FLAGS);
    archive.ifPresent(shared -> jvmFlags.addAll(shared.flags()));
    jvmFlags.addAll(markers);
    RedisTarget shared = redis.get();
    List<String> args = new ArrayList<>(arguments(instance, shared, dataDir));
    args.addAll(List.of("--request-log", requestLog(dataDir, instance.name()).toAbsolutePath().normalize().toString()));
    args.addAll(requestLogFlags(instance, retention.get()));
    return new ProgramSpec(instance.name(), self.command(jvmFlags, args), environment(instance, shared),
        dataDir, instance.listenHost(), instance.port(), "http://" + instance.reachableAddress() + "/health", markers);
  }

  /**
   * System properties that no other program carries: the console's data directory and the program's
   * name, which together belong to one bridge (an agent's bridges carry the agent's data directory). An
   * exported supervisor.conf runs its bridges under supervisord, not this console, and leaves them out.
   */
  public static List<String> markers(Path dataDir, String name) {
    return List.of("-Dollamabridge.data=" + dataDir.toAbsolutePath().normalize(), "-Dollamabridge.program=" + name);
  }

  /**
   * Whether two rows of one instance run the same process: the same flags, cache directory, request log
   * bodies and environment. On another host the cache directory is the agent's to place (none here), so the
   * rows are compared by what the console sends, not by a local command line.
   */
  public static boolean launchesAlike(Instance a, Instance b, RedisTarget redis) {
    return placedArguments(a, redis).equals(placedArguments(b, redis)) && a.cacheEnabled() == b.cacheEnabled()
        && a.logBodies() == b.logBodies()
        && Objects.equals(a.cacheDir(), b.cacheDir()) && environment(a, redis).equals(environment(b, redis));
  }

  /**
   * The bridge's flags, in the seed's order; also what supervisor.conf will show. The files the console
   * keeps for its bridges are under {@code dataDir}; another host's agent places its own.
   */
  public static List<String> arguments(Instance instance, RedisTarget redis, Path dataDir) {
    List<String> args = new ArrayList<>(List.of("bridge"));
    args.addAll(placedArguments(instance, redis));
    if (instance.cacheEnabled()) { // after the listen address, upstream and dialect, as the seed has it
      args.addAll(1 + UPSTREAM_FLAGS, List.of("--enable-cache", "--cache-dir", instance.cacheDir()));
    }
    args.addAll(List.of("--client-keys-file", dataDir.toAbsolutePath().normalize().resolve("keys").resolve("client-keys.json").toString()));
    return args;
  }

  /**
   * The flags a bridge on another host runs with: {@link #placedArguments(Instance, RedisTarget)} and the request
   * log's retention. Its agent places the request log itself, in its own data directory, as it places the cache.
   */
  public static List<String> placedArguments(Instance instance, RedisTarget redis, RequestLogRetention retention) {
    List<String> args = placedArguments(instance, redis);
    args.addAll(requestLogFlags(instance, retention));
    return args;
  }

  /**
   * The request log's retention, and {@code --log-bodies} where the instance logs bodies: flags that go
   * with a {@code --request-log} (the bridge refuses {@code --log-bodies} without one), so an exported
   * supervisor.conf, which names no request log, carries none of them.
   */
  private static List<String> requestLogFlags(Instance instance, RequestLogRetention retention) {
    List<String> flags = new ArrayList<>(retention.flags());
    if (instance.logBodies()) {
      flags.add("--log-bodies");
    }
    return flags;
  }

  /**
   * The flags a bridge on another host runs with, after {@code bridge}: all but the cache directory,
   * which that host's agent places in its own data directory. A bridge with the cache on gets the
   * shared Redis's URL, its password going through {@link #environment}.
   */
  public static List<String> placedArguments(Instance instance, RedisTarget redis) {
    // UPSTREAM_FLAGS counts these first ones
    List<String> args = new ArrayList<>(List.of(
        "-l", instance.address(), "--ollama", instance.upstreamUrl(),
        "--upstream-dialect", instance.upstreamDialect()));
    if (instance.sharedMode()) {
      args.add("--enable-shared-mode");
    }
    if (instance.rateLimit() > 0) {
      args.addAll(List.of("--rate-limit", Integer.toString(instance.rateLimit())));
    }
    if (!instance.thinkFilter()) {
      args.add("--disable-think-filter");
    }
    for (String origin : instance.allowedOrigins()) {
      args.addAll(List.of("--allowed-origin", origin));
    }
    for (String alias : instance.modelAliases()) {
      args.addAll(List.of("--model-alias", alias));
    }
    if (instance.maxConcurrent() > 0) {
      args.addAll(List.of("--max-concurrent", Integer.toString(instance.maxConcurrent()),
          "--queue-size", Integer.toString(instance.queueSize()),
          "--queue-timeout", Integer.toString(instance.queueTimeoutMs())));
    }
    if (instance.cacheEnabled() && redis.on()) {
      args.addAll(List.of("--cache-redis", redis.url()));
    }
    return args;
  }

  public static Map<String, String> environment(Instance instance, RedisTarget redis) {
    Map<String, String> environment = new HashMap<>();
    if (instance.upstreamApiKey() != null) {
      environment.put("BRIDGE_API_KEY", instance.upstreamApiKey());
    }
    if (!instance.clientKeys().isEmpty()) {
      environment.put("BRIDGE_CLIENT_KEYS", String.join(",", instance.clientKeys()));
    }
    if (instance.cacheEnabled() && redis.password() != null) {
      environment.put(REDIS_PASSWORD, redis.password());
    }
    return environment;
  }
}
