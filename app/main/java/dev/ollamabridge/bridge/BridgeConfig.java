package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.cache.RedisAddress;
import dev.ollamabridge.bridge.requestlog.RequestLogConfig;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.cli.HostPort;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one bridge needs, checked once at start-up.
 *
 * @param upstream the backend's base URL as given (e.g. {@code http://127.0.0.1:11434} or
 *     {@code https://api.deepseek.com/v1})
 * @param upstreamDialect the backend's dialect, already resolved from {@code auto}
 * @param rateLimit requests per second for the whole bridge, 0 for no limit
 * @param cacheDir where cache entries are kept, or null when the cache is off
 * @param apiKey the upstream key: sent on every call in shared mode, otherwise only when the
 *     client sent no Authorization of its own; may be null
 * @param clientKeys keys that clients must present as a Bearer token; empty for an open bridge
 * @param retries extra attempts after a connection error or a 502/503/504
 * @param shutdownTimeout how long a stopping bridge lets requests in flight finish
 * @param bodyTimeout how long a request body may take to arrive, from its headers on
 * @param allowedOrigins browser origins served besides the bridge's own addresses ({@code *}: any)
 * @param allowModelManagement whether Ollama's pull, push, create, copy, delete and blob routes
 *     reach an Ollama backend (they change what the backend holds)
 * @param fetchImageUrls whether the bridge fetches a remote {@code image_url} for an Ollama backend,
 *     which only takes images inline (the bridge then makes requests where clients point it)
 * @param modelAliases client model name → the backend's name for it, in the order given
 * @param maxConcurrent generation requests sent to the backend at once, 0 for no limit
 * @param queueSize how many generation requests may wait for one of the {@code maxConcurrent} slots
 * @param queueTimeout how long one request may wait for a slot
 * @param cacheRedis the Redis tier of the cache, shared by the bridges that name it; null for none
 * @param cacheRedisPassword its password ({@code BRIDGE_CACHE_REDIS_PASSWORD}); null for none
 * @param cacheRedisMaxEntryBytes the largest value (compressed) kept in Redis
 * @param clientKeysFile the cluster's client keys ({@code link.KeyRules} as JSON), watched and
 *     enforced besides {@code clientKeys}; null for none
 * @param requestLog where and how each API request is logged as a JSON line; null for no request log
 */
public record BridgeConfig(
    HostPort listen,
    String upstream,
    Dialect upstreamDialect,
    Duration timeout,
    int rateLimit,
    Path cacheDir,
    Duration cacheTtl,
    long cacheMaxEntries,
    boolean sharedMode,
    String apiKey,
    boolean thinkFilter,
    List<String> clientKeys,
    int retries,
    long maxBodyBytes,
    Duration shutdownTimeout,
    Duration bodyTimeout,
    List<String> allowedOrigins,
    boolean allowModelManagement,
    boolean fetchImageUrls,
    Map<String, String> modelAliases,
    int maxConcurrent,
    int queueSize,
    Duration queueTimeout,
    RedisAddress cacheRedis,
    String cacheRedisPassword,
    long cacheRedisMaxEntryBytes,
    Path clientKeysFile,
    RequestLogConfig requestLog) {

  /** How long a request waits for a generation slot unless told otherwise. */
  public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(30);
  /** The largest answer kept in Redis unless told otherwise: 1 MiB. */
  public static final long DEFAULT_REDIS_MAX_ENTRY_BYTES = 1 << 20;
  /** GETRANGE reads this much at most, so the cap bounds the bridge's memory too. */
  private static final long MAX_REDIS_ENTRY_BYTES = 64L << 20;

  /** A bridge without a request log. */
  public BridgeConfig(HostPort listen, String upstream, Dialect upstreamDialect, Duration timeout, int rateLimit,
      Path cacheDir, Duration cacheTtl, long cacheMaxEntries, boolean sharedMode, String apiKey, boolean thinkFilter,
      List<String> clientKeys, int retries, long maxBodyBytes, Duration shutdownTimeout, Duration bodyTimeout,
      List<String> allowedOrigins, boolean allowModelManagement, boolean fetchImageUrls, Map<String, String> modelAliases,
      int maxConcurrent, int queueSize, Duration queueTimeout, RedisAddress cacheRedis, String cacheRedisPassword,
      long cacheRedisMaxEntryBytes, Path clientKeysFile) {
    this(listen, upstream, upstreamDialect, timeout, rateLimit, cacheDir, cacheTtl, cacheMaxEntries, sharedMode, apiKey,
        thinkFilter, clientKeys, retries, maxBodyBytes, shutdownTimeout, bodyTimeout, allowedOrigins,
        allowModelManagement, fetchImageUrls, modelAliases, maxConcurrent, queueSize, queueTimeout, cacheRedis,
        cacheRedisPassword, cacheRedisMaxEntryBytes, clientKeysFile, null);
  }

  /** A bridge without the cluster's client keys and without a request log. */
  public BridgeConfig(HostPort listen, String upstream, Dialect upstreamDialect, Duration timeout, int rateLimit,
      Path cacheDir, Duration cacheTtl, long cacheMaxEntries, boolean sharedMode, String apiKey, boolean thinkFilter,
      List<String> clientKeys, int retries, long maxBodyBytes, Duration shutdownTimeout, Duration bodyTimeout,
      List<String> allowedOrigins, boolean allowModelManagement, boolean fetchImageUrls, Map<String, String> modelAliases,
      int maxConcurrent, int queueSize, Duration queueTimeout, RedisAddress cacheRedis, String cacheRedisPassword,
      long cacheRedisMaxEntryBytes) {
    this(listen, upstream, upstreamDialect, timeout, rateLimit, cacheDir, cacheTtl, cacheMaxEntries, sharedMode, apiKey,
        thinkFilter, clientKeys, retries, maxBodyBytes, shutdownTimeout, bodyTimeout, allowedOrigins,
        allowModelManagement, fetchImageUrls, modelAliases, maxConcurrent, queueSize, queueTimeout, cacheRedis,
        cacheRedisPassword, cacheRedisMaxEntryBytes, (Path) null);
  }

  /** A bridge without a Redis tier. */
  public BridgeConfig(HostPort listen, String upstream, Dialect upstreamDialect, Duration timeout, int rateLimit,
      Path cacheDir, Duration cacheTtl, long cacheMaxEntries, boolean sharedMode, String apiKey, boolean thinkFilter,
      List<String> clientKeys, int retries, long maxBodyBytes, Duration shutdownTimeout, Duration bodyTimeout,
      List<String> allowedOrigins, boolean allowModelManagement, boolean fetchImageUrls, Map<String, String> modelAliases,
      int maxConcurrent, int queueSize, Duration queueTimeout) {
    this(listen, upstream, upstreamDialect, timeout, rateLimit, cacheDir, cacheTtl, cacheMaxEntries, sharedMode, apiKey,
        thinkFilter, clientKeys, retries, maxBodyBytes, shutdownTimeout, bodyTimeout, allowedOrigins,
        allowModelManagement, fetchImageUrls, modelAliases, maxConcurrent, queueSize, queueTimeout, null, null,
        DEFAULT_REDIS_MAX_ENTRY_BYTES);
  }

  /** A bridge without model aliases that sends the backend every request at once. */
  public BridgeConfig(HostPort listen, String upstream, Dialect upstreamDialect, Duration timeout, int rateLimit,
      Path cacheDir, Duration cacheTtl, long cacheMaxEntries, boolean sharedMode, String apiKey, boolean thinkFilter,
      List<String> clientKeys, int retries, long maxBodyBytes, Duration shutdownTimeout, Duration bodyTimeout,
      List<String> allowedOrigins, boolean allowModelManagement, boolean fetchImageUrls) {
    this(listen, upstream, upstreamDialect, timeout, rateLimit, cacheDir, cacheTtl, cacheMaxEntries, sharedMode, apiKey,
        thinkFilter, clientKeys, retries, maxBodyBytes, shutdownTimeout, bodyTimeout, allowedOrigins,
        allowModelManagement, fetchImageUrls, Map.of(), 0, 0, DEFAULT_QUEUE_TIMEOUT);
  }

  /** A bridge that keeps the backend's models as they are and fetches no images. */
  public BridgeConfig(HostPort listen, String upstream, Dialect upstreamDialect, Duration timeout, int rateLimit,
      Path cacheDir, Duration cacheTtl, long cacheMaxEntries, boolean sharedMode, String apiKey, boolean thinkFilter,
      List<String> clientKeys, int retries, long maxBodyBytes, Duration shutdownTimeout, Duration bodyTimeout,
      List<String> allowedOrigins) {
    this(listen, upstream, upstreamDialect, timeout, rateLimit, cacheDir, cacheTtl, cacheMaxEntries, sharedMode, apiKey,
        thinkFilter, clientKeys, retries, maxBodyBytes, shutdownTimeout, bodyTimeout, allowedOrigins, false, false,
        Map.of(), 0, 0, DEFAULT_QUEUE_TIMEOUT);
  }

  public BridgeConfig {
    clientKeys = List.copyOf(clientKeys);
    allowedOrigins = List.copyOf(allowedOrigins);
    modelAliases = Collections.unmodifiableMap(new LinkedHashMap<>(modelAliases));
    modelAliases.forEach((client, backend) -> checkModelName(client + "=" + backend, client, backend));
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("--timeout must be a positive number of milliseconds");
    }
    if (rateLimit < 0) {
      throw new IllegalArgumentException("--rate-limit must be 0 (no limit) or a positive number of requests per second");
    }
    if (cacheTtl.isNegative() || cacheTtl.isZero()) {
      throw new IllegalArgumentException("--cache-ttl must be a positive number of milliseconds");
    }
    if (cacheMaxEntries < 1) {
      throw new IllegalArgumentException("--cache-max-entries must be at least 1");
    }
    if (sharedMode && (apiKey == null || apiKey.isBlank())) {
      throw new IllegalArgumentException("--enable-shared-mode needs the upstream key: add --api-key KEY");
    }
    if (retries < 0 || retries > 10) {
      throw new IllegalArgumentException("--retries must be between 0 and 10");
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("--max-body-bytes must be at least 1024");
    }
    if (shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException("--shutdown-timeout must be 0 or more milliseconds");
    }
    if (clientKeys.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("--client-key must not be empty");
    }
    if (bodyTimeout.isNegative() || bodyTimeout.isZero()) {
      throw new IllegalArgumentException("--body-timeout must be a positive number of milliseconds");
    }
    allowedOrigins.forEach(BrowserOrigins::checkAllowed);
    if (maxConcurrent < 0) {
      throw new IllegalArgumentException("--max-concurrent must be 0 (no limit) or the number of generations the backend runs at once");
    }
    if (queueSize < 0) {
      throw new IllegalArgumentException("--queue-size must be 0 (none waits) or how many requests may wait for a slot");
    }
    if (queueTimeout.isNegative() || queueTimeout.isZero()) {
      throw new IllegalArgumentException("--queue-timeout must be a positive number of milliseconds");
    }
    if (cacheRedis != null && cacheDir == null) {
      throw new IllegalArgumentException("--cache-redis needs --enable-cache: Redis is the cache's shared tier, behind its memory and disk tiers");
    }
    if (cacheRedisMaxEntryBytes < 1024 || cacheRedisMaxEntryBytes > MAX_REDIS_ENTRY_BYTES) {
      throw new IllegalArgumentException("--cache-redis-max-entry-bytes must be between 1024 and " + MAX_REDIS_ENTRY_BYTES);
    }
    if (clientKeysFile != null && Files.isDirectory(clientKeysFile)) {
      throw new IllegalArgumentException("--client-keys-file " + clientKeysFile + " is a directory; name the keys file"
          + " (it may appear later: until it does, every API request is refused)");
    }
    if (cacheDir != null && Files.exists(cacheDir) && !Files.isDirectory(cacheDir)) {
      throw new IllegalArgumentException("--cache-dir " + cacheDir + " is not a directory; name a directory (it is created if missing)");
    }
  }

  /**
   * Reads {@code --model-alias CLIENT=BACKEND} values into client name → backend name, in their
   * order; one that is malformed, or a client name given twice, is refused.
   */
  public static Map<String, String> parseModelAliases(List<String> aliases) {
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String alias : aliases) {
      int equals = alias.indexOf('=');
      if (equals < 0) {
        throw new IllegalArgumentException("--model-alias '" + alias + "' must be CLIENT=BACKEND, e.g. deepseek-r1=deepseek-r1:14b");
      }
      String client = alias.substring(0, equals);
      String backend = alias.substring(equals + 1);
      checkModelName(alias, client, backend);
      String earlier = parsed.putIfAbsent(client, backend);
      if (earlier != null) {
        throw new IllegalArgumentException("--model-alias gives '" + client + "' twice (" + client + "=" + earlier + ", "
            + alias + "); give each client name once");
      }
    }
    return parsed;
  }

  private static void checkModelName(String alias, String client, String backend) {
    if (client.isEmpty() || backend.isEmpty()) {
      throw new IllegalArgumentException("--model-alias '" + alias + "' needs a name on both sides of '=', e.g. deepseek-r1=deepseek-r1:14b");
    }
    if (backend.indexOf('=') >= 0 || !plainName(client) || !plainName(backend)) {
      throw new IllegalArgumentException("--model-alias '" + alias + "': a model name has no '=', spaces or control characters");
    }
  }

  private static boolean plainName(String name) {
    return name.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c));
  }

  /** Reads {@code auto}: a base URL ending in {@code /v1} is OpenAI-compatible, anything else Ollama. */
  public static Dialect resolveDialect(String upstream, String dialect) {
    return switch (dialect.toLowerCase(java.util.Locale.ROOT)) {
      case "ollama" -> Dialect.OLLAMA;
      case "openai" -> Dialect.OPENAI;
      case "auto" -> stripSlash(upstream).endsWith("/v1") ? Dialect.OPENAI : Dialect.OLLAMA;
      default -> throw new IllegalArgumentException("--upstream-dialect must be auto, ollama or openai, not '" + dialect + "'");
    };
  }

  /** Checks an upstream URL: absolute http(s) with a host. */
  public static String checkUpstream(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--ollama '" + url + "' is not a URL; write e.g. http://127.0.0.1:11434");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("--ollama '" + url + "' must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:11434");
    }
    if (uri.getQuery() != null || uri.getFragment() != null) {
      throw new IllegalArgumentException("--ollama '" + url + "' must be a base URL without ?query or #fragment");
    }
    if (uri.getRawUserInfo() != null) {
      // a URL is shown in /health, logs and process lists; a key passed as --api-key (or BRIDGE_API_KEY) is not
      throw new IllegalArgumentException("--ollama must not carry user:password@: pass the key with --api-key or BRIDGE_API_KEY");
    }
    return stripSlash(url);
  }

  /**
   * The root that API paths are appended to: {@code …/v1} for an OpenAI-compatible upstream (never
   * {@code /v1/v1}), the bare server URL for Ollama.
   */
  public String apiRoot() {
    String base = stripSlash(upstream);
    if (upstreamDialect == Dialect.OPENAI) {
      return base.endsWith("/v1") ? base : base + "/v1";
    }
    return base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base;
  }

  public boolean cacheEnabled() {
    return cacheDir != null;
  }

  private static String stripSlash(String url) {
    String out = url;
    while (out.endsWith("/")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }
}
