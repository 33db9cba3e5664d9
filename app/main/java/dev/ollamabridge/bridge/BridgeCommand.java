package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.cache.RedisAddress;
import dev.ollamabridge.bridge.requestlog.RequestLog;
import dev.ollamabridge.bridge.requestlog.RequestLogConfig;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.cli.LogLevels;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ollama-bridge bridge}: the per-backend proxy. Its flags are those of the Rust
 * {@code deepseek-ollama-bridge}, so supervisor lines written for it run unchanged.
 */
@Command(
    name = "bridge",
    mixinStandardHelpOptions = true,
    description = "A caching proxy in front of one LLM backend that speaks both Ollama's and OpenAI's API.")
public final class BridgeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = {"-l", "--listen"}, defaultValue = "127.0.0.1:3000", converter = HostPort.Converter.class,
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  HostPort listen;

  @Option(names = {"-o", "--ollama"}, defaultValue = "http://127.0.0.1:11434",
      description = "The backend's base URL; one ending in /v1 is OpenAI-compatible (default: ${DEFAULT-VALUE}).")
  String upstream;

  @Option(names = {"-t", "--timeout"}, defaultValue = "300000",
      description = "Upper bound of one upstream call, in ms (default: ${DEFAULT-VALUE}).")
  long timeoutMillis;

  @Option(names = {"-r", "--rate-limit"}, defaultValue = "0",
      description = "Requests per second for the whole bridge, 0 for no limit (default: ${DEFAULT-VALUE}).")
  int rateLimit;

  @Option(names = "--enable-cache", description = "Cache complete answers in memory and in --cache-dir.")
  boolean enableCache;

  @Option(names = "--cache-dir", defaultValue = "./cache",
      description = "Directory of cache entries; bridges may share one (default: ${DEFAULT-VALUE}).")
  Path cacheDir;

  @Option(names = "--cache-ttl", defaultValue = "3600000",
      description = "How long a cached answer is served, in ms (default: ${DEFAULT-VALUE}).")
  long cacheTtlMillis;

  @Option(names = "--cache-max-entries", defaultValue = "1000",
      description = "Most answers kept in each tier (default: ${DEFAULT-VALUE}).")
  long cacheMaxEntries;

  @Option(names = "--cache-redis", paramLabel = "URL",
      description = "Keep answers in this Redis too, behind the memory and disk tiers, so that every bridge naming it"
          + " shares them: redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB] (TLS). The password comes from"
          + " BRIDGE_CACHE_REDIS_PASSWORD, never the URL. Needs --enable-cache. Redis down or refusing is not an"
          + " outage: the bridge serves from its local tiers and reconnects by itself.")
  String cacheRedis;

  @Option(names = "--cache-redis-max-entry-bytes", paramLabel = "BYTES", defaultValue = "1048576",
      description = "Largest answer kept in Redis, compressed; larger ones stay in the local tiers (default: ${DEFAULT-VALUE}).")
  long cacheRedisMaxEntryBytes;

  /** Where {@code BRIDGE_CACHE_REDIS_PASSWORD} is read; tests give their own. */
  Map<String, String> environment = System.getenv();

  @Option(names = "--enable-shared-mode", description = "Send --api-key upstream on every call, whatever the client sent.")
  boolean sharedMode;

  @Option(names = "--api-key", defaultValue = "${env:BRIDGE_API_KEY}",
      description = "The upstream API key (or set BRIDGE_API_KEY, which keeps it out of the process list).")
  String apiKey;

  @Option(names = "--disable-think-filter", description = "Leave <think>…</think> in the answer content.")
  boolean disableThinkFilter;

  @Option(names = "--client-key", paramLabel = "KEY", split = ",", defaultValue = "${env:BRIDGE_CLIENT_KEYS}",
      description = "A key clients must send as 'Authorization: Bearer KEY'; repeat (or separate with commas) for"
          + " several, or set BRIDGE_CLIENT_KEYS.")
  List<String> clientKeys = new ArrayList<>();

  @Option(names = "--client-keys-file", paramLabel = "PATH",
      description = "The cluster's client keys (JSON, written by the console), re-read within a second of each change:"
          + " requests need one of its keys when it says so, within the key's models, rate and daily tokens. A bad"
          + " version keeps the keys read last; while the file has never been read, every API request gets 503."
          + " --client-key keys stay valid too.")
  Path clientKeysFile;

  @Option(names = "--upstream-dialect", defaultValue = "auto",
      description = "auto, ollama or openai; auto reads a base URL ending in /v1 as OpenAI (default: ${DEFAULT-VALUE}).")
  String upstreamDialect;

  @Option(names = "--retries", defaultValue = "2",
      description = "Retries after a connection error or a 502/503/504, before any byte is sent (default: ${DEFAULT-VALUE}).")
  int retries;

  @Option(names = "--max-body-bytes", defaultValue = "33554432",
      description = "Largest request body accepted (default: ${DEFAULT-VALUE}).")
  long maxBodyBytes;

  @Option(names = "--shutdown-timeout", defaultValue = "30000",
      description = "On SIGTERM, how long requests in flight may finish, in ms (default: ${DEFAULT-VALUE}).")
  long shutdownTimeoutMillis;

  @Option(names = "--body-timeout", defaultValue = "10000",
      description = "How long a request body may take to arrive, in ms; slower: 408 (default: ${DEFAULT-VALUE}).")
  long bodyTimeoutMillis;

  @Option(names = "--allowed-origin", paramLabel = "ORIGIN",
      description = "A browser origin (e.g. https://app.example.com) whose pages may call this bridge, besides its own"
          + " addresses; repeat for several, * for any. Requests without Origin are always served.")
  List<String> allowedOrigins = new ArrayList<>();

  @Option(names = "--allow-model-management",
      description = "Pass Ollama's model management (pull, push, create, copy, delete, blobs) through to an Ollama backend;"
          + " without it those routes answer 403.")
  boolean allowModelManagement;

  @Option(names = "--fetch-image-urls",
      description = "Fetch a remote image_url (http/https, public addresses only, at most 20 MiB and 10 s for all the"
          + " images of a request) for an Ollama backend, which only takes images inline; without it such a request"
          + " is a 400.")
  boolean fetchImageUrls;

  @Option(names = "--model-alias", paramLabel = "CLIENT=BACKEND",
      description = "Serve the backend's model BACKEND under the name CLIENT too: requests for CLIENT go upstream as"
          + " BACKEND, and answers and model lists name CLIENT; repeat for several.")
  List<String> modelAliases = new ArrayList<>();

  @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "0",
      description = "Generations (chat, completions, Responses, embeddings) sent to the backend at once, e.g. its"
          + " OLLAMA_NUM_PARALLEL; more wait in the queue or get 503 with Retry-After; 0 for no limit"
          + " (default: ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Option(names = "--queue-size", paramLabel = "N", defaultValue = "0",
      description = "How many generations may wait for a --max-concurrent slot; 0 answers 503 at once, so nginx tries"
          + " another bridge (default: ${DEFAULT-VALUE}).")
  int queueSize;

  @Option(names = "--queue-timeout", paramLabel = "MS", defaultValue = "30000",
      description = "How long a generation may wait in the queue before it gets 503, in ms (default: ${DEFAULT-VALUE}).")
  long queueTimeoutMillis;

  @Option(names = "--request-log", paramLabel = "PATH",
      description = "Write one JSON line per API request to this file (created owner-only): its id, key, model, route,"
          + " dialects, status, cache outcome, latency, time to first token, tokens, bytes, client, retries and error.")
  Path requestLog;

  @Option(names = "--request-log-max-bytes", paramLabel = "BYTES", defaultValue = "10485760",
      description = "Size at which the request log is rotated, PATH → PATH.1 … (default: ${DEFAULT-VALUE}).")
  long requestLogMaxBytes;

  @Option(names = "--request-log-keep", paramLabel = "K", defaultValue = "5",
      description = "Rotated request logs kept, PATH.1 to PATH.K (default: ${DEFAULT-VALUE}).")
  int requestLogKeep;

  @Option(names = "--request-log-max-age-days", paramLabel = "DAYS", defaultValue = "30",
      description = "Rotated request logs older than this are deleted (default: ${DEFAULT-VALUE}).")
  int requestLogMaxAgeDays;

  @Option(names = "--log-bodies",
      description = "Put each request's body and its answer (at most 64 KiB each) in the request log: prompts and"
          + " answers then sit on disk. Needs --request-log.")
  boolean logBodies;

  @Option(names = {"-d", "--debug"}, description = "Log at debug level (RUST_LOG=debug does the same).")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    BridgeConfig config = config();
    LogLevels.apply(debug);
    BridgeServer server;
    try {
      server = BridgeServer.start(config);
    } catch (RequestLog.Unwritable e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } catch (UncheckedIOException e) {
      // A cache directory that cannot be created is the one start-up failure a flag cures.
      throw new ParameterException(spec.commandLine(), "--cache-dir: " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close(); // SIGTERM: finish what is in flight, then exit
      stopped.countDown();
    }, "bridge-shutdown"));
    stopped.await();
    return 0;
  }

  private RequestLogConfig requestLogConfig() {
    RequestLog.Retention retention = new RequestLog.Retention(requestLogMaxBytes, requestLogKeep,
        Duration.ofDays(requestLogMaxAgeDays));
    if (requestLog == null) {
      if (logBodies) {
        throw new IllegalArgumentException("--log-bodies needs --request-log PATH: the bodies go in the request log");
      }
      return null;
    }
    return new RequestLogConfig(requestLog, retention, logBodies);
  }

  /** The validated configuration; a bad value ends the command with a one-line message. */
  BridgeConfig config() {
    try {
      String checked = BridgeConfig.checkUpstream(upstream);
      RedisAddress redis = cacheRedis == null ? null : RedisAddress.parse(cacheRedis);
      String redisPassword = environment.get("BRIDGE_CACHE_REDIS_PASSWORD");
      return new BridgeConfig(
          listen,
          checked,
          BridgeConfig.resolveDialect(checked, upstreamDialect),
          Duration.ofMillis(timeoutMillis),
          rateLimit,
          enableCache ? cacheDir : null,
          Duration.ofMillis(cacheTtlMillis),
          cacheMaxEntries,
          sharedMode,
          apiKey,
          !disableThinkFilter,
          clientKeys == null ? List.of() : clientKeys,
          retries,
          maxBodyBytes,
          Duration.ofMillis(shutdownTimeoutMillis),
          Duration.ofMillis(bodyTimeoutMillis),
          allowedOrigins == null ? List.of() : allowedOrigins,
          allowModelManagement,
          fetchImageUrls,
          BridgeConfig.parseModelAliases(modelAliases == null ? List.of() : modelAliases),
          maxConcurrent,
          queueSize,
          Duration.ofMillis(queueTimeoutMillis),
          redis,
          redisPassword == null || redisPassword.isEmpty() ? null : redisPassword,
          cacheRedisMaxEntryBytes,
          clientKeysFile,
          requestLogConfig());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
