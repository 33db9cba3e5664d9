package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.cache.AnswerCache;
import dev.ollamabridge.bridge.cache.RedisTier;
import dev.ollamabridge.bridge.datapath.DataPathConfig;
import dev.ollamabridge.bridge.datapath.DataPathServer;
import dev.ollamabridge.bridge.keys.KeyCounters;
import dev.ollamabridge.bridge.keys.KeyFile;
import dev.ollamabridge.bridge.requestlog.RequestLog;
import dev.ollamabridge.bridge.requestlog.RequestLogConfig;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.http.AddressPolicy;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running bridge: its server on event loops (the data path), its routes, and the objects they
 * share. Chats and completions are answered on the loops; the other routes on threads of their own.
 */
public final class BridgeServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BridgeServer.class);

  private final DataPathServer server;
  private final ExecutorService threads;
  private final OkHttpClient http;
  private final AnswerCache cache;
  private final KeyFile keyFile;
  private final RequestLog requestLog;

  private BridgeServer(DataPathServer server, ExecutorService threads, OkHttpClient http, AnswerCache cache,
      KeyFile keyFile, RequestLog requestLog) {
    this.server = server;
    this.threads = threads;
    this.http = http;
    this.cache = cache;
    this.keyFile = keyFile;
    this.requestLog = requestLog;
  }

  public static BridgeServer start(BridgeConfig config) {
    return start(config, AddressPolicy.PUBLIC_ONLY);
  }

  /**
   * As {@link #start(BridgeConfig)}, fetching remote images (with {@code --fetch-image-urls}) only
   * from the addresses {@code imageAddresses} allows: the command line always passes
   * {@link AddressPolicy#PUBLIC_ONLY}; tests pass one that also allows their own loopback server.
   */
  static BridgeServer start(BridgeConfig config, AddressPolicy imageAddresses) {
    BridgeMetrics metrics = new BridgeMetrics();
    AnswerCache cache = null;
    if (config.cacheEnabled()) {
      RedisTier redis = config.cacheRedis() == null ? null : new RedisTier(config.cacheRedis(),
          config.cacheRedisPassword(), config.cacheTtl(), config.cacheRedisMaxEntryBytes(), Clock.systemUTC(),
          metrics.redisObserver());
      cache = new AnswerCache(config.cacheDir(), config.cacheTtl(), config.cacheMaxEntries(), Clock.systemUTC(), redis);
      metrics.watch(cache);
    }
    OkHttpClient.Builder client = new OkHttpClient.Builder()
        .connectTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ZERO) // a model may think for minutes between tokens; --timeout bounds the call
        .writeTimeout(Duration.ZERO)
        .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES));
    if (config.upstream().startsWith("http://") && !config.fetchImageUrls()) {
      // nothing this bridge calls speaks TLS: OkHttp then skips loading the trust store at start
      client.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
    }
    OkHttpClient http = client.build();
    Upstream upstream = new Upstream(http, config, metrics);
    ModelAliases aliases = new ModelAliases(config.modelAliases());
    Admission admission = new Admission(config, metrics);
    metrics.watch(admission);
    RemoteImages images = new RemoteImages(http, config.fetchImageUrls(), imageAddresses);
    GenerationHandler generation = new GenerationHandler(config, upstream, cache, metrics, images, admission);
    ResponsesRoute responses = new ResponsesRoute(config, upstream, generation, aliases, admission);
    ModelRoutes models = new ModelRoutes(config, upstream, aliases, admission);
    ModelManagement management = new ModelManagement(config, upstream);
    KeyFile keyFile = config.clientKeysFile() == null ? null : KeyFile.watch(config.clientKeysFile(), Clock.systemUTC());
    RedisTier sharedCounters = cache == null ? null : cache.redis().orElse(null);
    ClientAccess access = new ClientAccess(new ClientKeys(config.clientKeys()), keyFile,
        new KeyCounters(sharedCounters == null ? null : sharedCounters::add, Clock.systemUTC()), Clock.systemUTC());
    RequestLogConfig logConfig = config.requestLog();
    boolean logBodies = logConfig != null && logConfig.bodies();
    RequestGate gate = new RequestGate(access, new RateLimit(config.rateLimit()), metrics, logBodies);
    Health health = new Health(config, new UpstreamProbe(http, config), cache, admission, access, System.nanoTime());

    BrowserOrigins origins = new BrowserOrigins(config);
    RequestLog requestLog = logConfig == null ? null
        : RequestLog.open(logConfig.path(), logConfig.retention(), logConfig.bodies(), metrics::requestLogDropped);

    ExecutorService threads = RouteThreads.start();
    LoopGeneration.Shared generations = new LoopGeneration.Shared(config, upstream, cache, metrics, admission, images,
        threads);
    Map<PathTable.Local, RequestGate.RouteHandler> locals = new EnumMap<>(PathTable.Local.class);
    locals.put(PathTable.Local.HEALTH, exchange -> {
      RequestGate.countConsole(exchange, metrics, "/health");
      health.handle(exchange);
    });
    locals.put(PathTable.Local.METRICS, exchange -> {
      RequestGate.countConsole(exchange, metrics, "/metrics");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      metrics.writeTo(out);
      exchange.answer(200, metrics.contentType(), out.toByteArray());
    });
    // nginx's auth_request: whether the request's key would pass, counted as no client request
    locals.put(PathTable.Local.KEY_CHECK, exchange -> {
      access.authenticate(exchange, exchange.notes());
      exchange.answer(204, null, new byte[0]);
    });
    Map<Route, RequestGate.RouteHandler> handlers = new EnumMap<>(Route.class);
    for (Route route : Route.values()) {
      if (!route.chatOrCompletion()) {
        handlers.put(route, handlerOf(route, responses, models, management));
      }
    }
    LoopRoutes routes = new LoopRoutes(config, origins, gate, handlers, locals, generations, aliases, threads, requestLog,
        logBodies);
    DataPathServer server;
    try {
      server = DataPathServer.start(DataPathConfig.of(config.listen().host(), config.listen().port(),
          URI.create(config.apiRoot()), config.maxBodyBytes(), config.bodyTimeout(), config.shutdownTimeout()),
          routes, (path, status, message, code) -> ErrorBodies.of(Route.dialectOf(path),
              new ApiException(status, message, null, code)));
    } catch (RuntimeException e) {
      threads.shutdown();
      if (cache != null) {
        cache.close();
      }
      if (keyFile != null) {
        keyFile.close();
      }
      if (requestLog != null) {
        requestLog.close();
      }
      throw e;
    }
    log.info("bridge {} listening on http://{}:{} → {} ({} dialect){}{}{}{}{}", Version.current(),
        config.listen().host(), server.port(), config.apiRoot(), config.upstreamDialect().name().toLowerCase(),
        config.cacheEnabled() ? ", cache in " + config.cacheDir()
            + (config.cacheRedis() == null ? "" : " and Redis " + config.cacheRedis().hostPort()) : "",
        config.sharedMode() ? ", shared mode" : "",
        config.maxConcurrent() > 0 ? ", " + config.maxConcurrent() + " generations at once, " + config.queueSize()
            + " waiting at most " + config.queueTimeout().toMillis() + " ms" : "",
        config.modelAliases().isEmpty() ? "" : ", model aliases " + config.modelAliases(),
        keyFile == null ? "" : ", client keys from " + keyFile.path());
    if (requestLog != null) {
      log.info("request log {}{}", requestLog.path(), logBodies ? ", with the requests' and answers' bodies" : "");
    }
    return new BridgeServer(server, threads, http, cache, keyFile, requestLog);
  }

  /** What answers a route on a thread of its own (chats and completions are answered on the loop). */
  private static RequestGate.RouteHandler handlerOf(Route route, ResponsesRoute responses, ModelRoutes models,
      ModelManagement management) {
    return switch (route) {
      case OPENAI_CHAT, OPENAI_COMPLETIONS, OLLAMA_CHAT, OLLAMA_GENERATE ->
          throw new IllegalArgumentException(route + " is answered on the event loop");
      case OPENAI_RESPONSES -> responses::handle;
      case OPENAI_EMBEDDINGS -> models::openAiEmbeddings;
      case OPENAI_MODELS -> models::openAiModels;
      case OLLAMA_EMBED -> models::ollamaEmbed;
      case OLLAMA_EMBEDDINGS -> models::ollamaEmbeddings;
      case OPENAI_MODEL -> models::openAiModel;
      case OLLAMA_PULL, OLLAMA_PUSH, OLLAMA_CREATE, OLLAMA_COPY, OLLAMA_DELETE, OLLAMA_BLOB_CHECK, OLLAMA_BLOB_PUSH ->
          exchange -> management.handle(exchange, route);
      case OLLAMA_TAGS -> models::ollamaTags;
      case OLLAMA_SHOW -> models::ollamaShow;
      case OLLAMA_VERSION -> models::ollamaVersion;
      case OLLAMA_PS -> models::ollamaPs;
    };
  }

  public int port() {
    return server.port();
  }

  /** Bytes the data path's buffers hold now: what a slow client can make the bridge keep. */
  long bufferBytes() {
    return server.bufferBytes();
  }

  @Override
  public void close() {
    server.close(); // refuses new requests, lets those in flight finish for up to --shutdown-timeout
    threads.shutdown();
    if (keyFile != null) {
      keyFile.close();
    }
    if (cache != null) {
      cache.close();
    }
    if (requestLog != null) {
      requestLog.close(); // after the server: the requests it let finish are logged too
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  /**
   * {@code GET /health}: 200 while the upstream answers, 503 while it does not or answers with a
   * server error (a 401 or 404 still proves it is there), with a {@code reason} that says which.
   */
  record Health(BridgeConfig config, UpstreamProbe probe, AnswerCache cache, Admission admission, ClientAccess access,
      long startedNanos) {

    void handle(Exchange exchange) {
      UpstreamProbe.Result upstream = probe.check();
      boolean up = upstream.reachable() && upstream.status() < 500;
      ObjectNode body = Json.object();
      body.put("status", up ? "ok" : "degraded");
      if (!up) {
        body.put("reason", probe.reason(upstream));
      }
      body.put("version", Version.current());
      body.put("uptime_seconds", (System.nanoTime() - startedNanos) / 1_000_000_000L);
      ObjectNode target = body.putObject("upstream");
      target.put("url", config.apiRoot()).put("dialect", config.upstreamDialect().name().toLowerCase());
      target.put("reachable", upstream.reachable()).put("status", upstream.status()).put("latency_ms", upstream.latencyMillis());
      if (upstream.error() != null) {
        target.put("error", upstream.error());
      }
      ObjectNode cacheNode = body.putObject("cache").put("enabled", cache != null);
      if (cache != null) {
        AnswerCache.Stats stats = cache.stats();
        cacheNode.put("memory_entries", stats.memoryEntries()).put("disk_entries", stats.diskEntries())
            .put("hits", stats.hits()).put("misses", stats.misses()).put("evictions", stats.evictions());
        cache.redis().ifPresent(redis -> {
          RedisTier.Status status = redis.status();
          cacheNode.putObject("redis").put("address", redis.address().hostPort()).put("state", status.state().label())
              .put("since", status.since().toString()).put("error", status.error()).put("hits", stats.redisHits());
        });
      }
      body.putObject("admission").put("max_concurrent", admission.maxConcurrent()).put("in_use", admission.inUse())
          .put("queued", admission.queued());
      KeyFile.Status keys = access.file() == null ? null : access.file().status();
      body.putObject("keys").put("required", access.required()).put("count", keys == null ? 0 : keys.count())
          .put("loaded_at", keys == null || keys.loadedAt() == null ? null : keys.loadedAt().toString())
          .put("error", keys == null ? null : keys.error());
      exchange.answer(up ? 200 : 503, "application/json", Json.bytes(body));
    }
  }
}
