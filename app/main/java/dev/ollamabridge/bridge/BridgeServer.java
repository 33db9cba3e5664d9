package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.cache.AnswerCache;
import dev.ollamabridge.bridge.cache.RedisTier;
import dev.ollamabridge.bridge.keys.KeyCounters;
import dev.ollamabridge.bridge.keys.KeyFile;
import dev.ollamabridge.bridge.requestlog.RequestIds;
import dev.ollamabridge.bridge.requestlog.RequestLog;
import dev.ollamabridge.bridge.requestlog.RequestLogConfig;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.http.AddressPolicy;
import dev.ollamabridge.http.BodyDeadline;
import dev.ollamabridge.http.ConsoleTraffic;
import dev.ollamabridge.http.ServerThreads;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running bridge: the HTTP server, its routes, and the objects they share. */
public final class BridgeServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BridgeServer.class);

  private final Javalin app;
  private final OkHttpClient http;
  private final AnswerCache cache;
  private final KeyFile keyFile;
  private final RequestLog requestLog;

  private BridgeServer(Javalin app, OkHttpClient http, AnswerCache cache, KeyFile keyFile, RequestLog requestLog) {
    this.app = app;
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
    GenerationHandler generation = new GenerationHandler(config, upstream, cache, metrics,
        new RemoteImages(http, config.fetchImageUrls(), imageAddresses), aliases, admission);
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

    Javalin app = Javalin.create(server -> {
      server.jetty.host = config.listen().host();
      server.jetty.port = config.listen().port();
      ServerThreads.configure(server);
      server.http.compressionStrategy = CompressionStrategy.NONE; // nginx compresses; streams must not wait
      server.http.maxRequestSize = config.maxBodyBytes();
      server.http.prefer405over404 = true;
      server.jetty.modifyServer(jetty -> {
        // A body arrives whole before a thread is spent on it, or is refused after --body-timeout.
        jetty.insertHandler(new BodyDeadline(config.bodyTimeout(), config.maxBodyBytes()));
        // On stop (SIGTERM), refuse new requests but let the streams in flight finish.
        jetty.insertHandler(new GracefulHandler());
        jetty.setStopTimeout(config.shutdownTimeout().toMillis());
      });
      server.requestLogger.http((ctx, millis) -> {
        log.debug("{} {} answered {} in {} ms", ctx.method(), ctx.path(), ctx.statusCode(), Math.round(millis));
        // once the answer is written: its bytes and its whole time are known
        if (requestLog != null && RequestState.route(ctx) != null && !ConsoleTraffic.marks(ctx.header(ConsoleTraffic.HEADER))) {
          requestLog.add(RequestLines.of(ctx, config.upstreamDialect(), millis, logBodies));
        }
      });
      server.startup.showJavalinBanner = false;
      server.startup.showOldJavalinVersionWarning = false;

      RouteTable table = new RouteTable(server.routes)
          .add(HandlerType.GET, "/", ctx -> ctx.result("Ollama is running"))
          .add(HandlerType.HEAD, "/", ctx -> ctx.status(200))
          .add(HandlerType.GET, "/health", onJavalin(exchange -> {
            RequestGate.countConsole(exchange, metrics, "/health");
            health.handle(exchange);
          }))
          .add(HandlerType.GET, "/metrics", onJavalin(exchange -> {
            RequestGate.countConsole(exchange, metrics, "/metrics");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            metrics.writeTo(out);
            exchange.answer(200, metrics.contentType(), out.toByteArray());
          }))
          // nginx's auth_request: whether the request's key would pass, counted as no client request
          .add(HandlerType.GET, "/key-check", onJavalin(exchange -> {
            access.authenticate(exchange, exchange.notes());
            exchange.answer(204, null, new byte[0]);
          }));
      for (Route route : Route.values()) {
        RequestGate.RouteHandler handler = handlerOf(route, generation, responses, models, management);
        table.add(route.method, route.path, ctx -> gate.handle(route, new JavalinExchange(ctx), handler));
      }
      table.answerOptions(origins);

      server.routes.before(ctx -> {
        JavalinExchange exchange = new JavalinExchange(ctx);
        origins.check(exchange).applyTo(exchange);
      });
      server.routes.exception(ApiException.class,
          (e, ctx) -> RequestGate.render(new JavalinExchange(ctx), Route.dialectOf(ctx.path()), e));
      server.routes.error(404, ctx -> {
        if (!RequestState.started(ctx)) { // a routed request's 404 (an unknown model) is already answered
          ctx.header("x-request-id", RequestIds.of(ctx.header(RequestIds.HEADER)));
          RequestGate.render(new JavalinExchange(ctx), Route.dialectOf(ctx.path()),
              new ApiException(404, "no route for " + ctx.method() + " " + ctx.path(), null, "not_found"));
        }
      });
      server.routes.error(405, ctx -> {
        String allowed = table.allowed(ctx.path());
        ctx.header("Allow", allowed);
        ctx.header("x-request-id", RequestIds.of(ctx.header(RequestIds.HEADER)));
        RequestGate.render(new JavalinExchange(ctx), Route.dialectOf(ctx.path()), new ApiException(405,
            ctx.method() + " is not allowed on " + ctx.path() + "; it answers " + allowed, null, "method_not_allowed"));
      });
    });
    try {
      app.start();
    } catch (RuntimeException e) {
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
        config.listen().host(), app.port(), config.apiRoot(), config.upstreamDialect().name().toLowerCase(),
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
    return new BridgeServer(app, http, cache, keyFile, requestLog);
  }

  /** A route that reads and answers through an {@link Exchange}, carried by Javalin. */
  private static Handler onJavalin(RequestGate.RouteHandler handler) {
    return ctx -> handler.handle(new JavalinExchange(ctx));
  }

  private static RequestGate.RouteHandler handlerOf(Route route, GenerationHandler generation,
      ResponsesRoute responses, ModelRoutes models, ModelManagement management) {
    return switch (route) {
      case OPENAI_CHAT, OPENAI_COMPLETIONS, OLLAMA_CHAT, OLLAMA_GENERATE ->
          exchange -> generation.handle(exchange, route);
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
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
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
