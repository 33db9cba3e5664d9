package dev.ollamabridge.fake;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.http.ServerThreads;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated LLM backend that speaks Ollama's API and the OpenAI API with deterministic answers,
 * for demos, tests and benchmarks. Start one with {@link #start(Options)}; it serves until
 * {@link #close()}.
 *
 * <pre>{@code
 * try (FakeOllama fake = FakeOllama.start(FakeOllama.Options.defaults().withTokenRate(20))) {
 *   client.send(…, fake.baseUrl() + "/api/chat");
 * }
 * }</pre>
 */
public final class FakeOllama implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FakeOllama.class);

  private final Javalin server;
  private final Traffic traffic;
  private final String baseUrl;

  private FakeOllama(Javalin server, Traffic traffic, String baseUrl) {
    this.server = server;
    this.traffic = traffic;
    this.baseUrl = baseUrl;
  }

  /** Starts serving; the listen port may be 0, then {@link #port()} tells the one chosen. */
  public static FakeOllama start(Options options) {
    return start(options, SuddenDeath.never());
  }

  /** As {@link #start(Options)}, with {@code --die-after}, which only the command may use. */
  static FakeOllama start(Options options, SuddenDeath death) {
    ObjectMapper json = new ObjectMapper();
    Traffic traffic = new Traffic();
    LiveFaults faults = new LiveFaults(
        new Faults(options.latencyMs(), options.errorRate(), options.tokenRate(), false));
    FakeBackend backend = new FakeBackend(
        json,
        new ModelCatalog(options.models()),
        new FakeAnswers(options.tokens(), options.think()),
        faults,
        traffic,
        new AnswerDelivery(faults, traffic, death));
    Javalin server = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = options.listen().host();
      config.jetty.port = options.listen().port();
      ServerThreads.configure(config);
      config.jsonMapper(new JavalinJackson(json, false));
      config.requestLogger.http((ctx, ms) ->
          log.debug("{} {} answered {} in {} ms", ctx.method(), ctx.path(), ctx.statusCode(), Math.round(ms)));
      config.routes.exception(ApiError.class, (error, ctx) -> ctx.status(error.status()).json(error.body()));
      config.routes.beforeMatched(ctx -> admit(ctx, options, traffic, faults));
      config.routes.get("/", ctx -> ctx.result("Ollama is running"));
      config.routes.head("/", ctx -> ctx.status(200));
      if (options.dialect().servesOllama()) {
        new OllamaRoutes(backend, options.logprobs()).register(config.routes);
      }
      if (options.dialect().servesOpenAi()) {
        new OpenAiRoutes(backend, options.strictTools(), options.logprobs()).register(config.routes);
      }
      if (options.controlRoutes()) {
        new ControlRoutes(backend).register(config.routes);
      }
    });
    server.start();
    return new FakeOllama(server, traffic, baseUrl(options.listen().host(), server.port()));
  }

  /** The port served, also when 0 was asked for. */
  public int port() {
    return server.port();
  }

  /** Where a client on this machine reaches the server, e.g. {@code http://127.0.0.1:11434}. */
  public String baseUrl() {
    return baseUrl;
  }

  public Stats stats() {
    return traffic.snapshot();
  }

  @Override
  public void close() {
    server.stop();
  }

  /** Checks {@code down} and the key before any route but the control routes, in the route's dialect. */
  private static void admit(Context ctx, Options options, Traffic traffic, LiveFaults faults) {
    String path = ctx.path();
    if (options.controlRoutes() && path.startsWith("/_fake/")) {
      return;
    }
    String requiredKey = options.requireKey();
    String authorization = ctx.header("Authorization");
    traffic.authorizationSeen(authorization);
    boolean openAi = path.startsWith("/v1/");
    if (faults.current().down()) {
      throw openAi
          ? OpenAiRoutes.unavailable()
          : OllamaRoutes.error(503, "fake-ollama is down; POST {\"down\": false} to /_fake/faults to revive it");
    }
    if (requiredKey != null && !path.equals("/") && !("Bearer " + requiredKey).equals(authorization)) {
      throw openAi ? OpenAiRoutes.unauthorized(authorization) : OllamaRoutes.error(401, "unauthorized");
    }
  }

  private static String baseUrl(String host, int port) {
    boolean anyOrLocal = host.equals("0.0.0.0") || host.equals("::") || host.equals("localhost");
    String reachable = anyOrLocal ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
    return "http://" + reachable + ":" + port;
  }

  /**
   * How the fake behaves. {@link #defaults()} listens on a free port of 127.0.0.1 (the command's
   * default is 11434, Ollama's port); change one thing at a time with the {@code withX} methods.
   *
   * @param listen where to listen; port 0 picks a free port
   * @param dialect which API families to serve
   * @param models model names the fake claims to have; others get 404
   * @param tokenRate tokens per second per stream, 0 for as fast as possible
   * @param tokens answer length in tokens, not counting reasoning
   * @param think whether answers start with reasoning ({@code <think>…</think>} in the content)
   * @param latencyMs extra wait before the first token or a whole answer
   * @param errorRate share of generation and embedding requests answered with HTTP 500
   * @param requireKey the bearer token every route but {@code /} and {@code /_fake/*} demands, or null
   * @param strictTools whether {@code /v1/chat/completions} refuses tool messages that answer no
   *     tool call, and tool calls left unanswered, with OpenAI's own 400
   * @param controlRoutes whether the test hooks under {@code /_fake/} are served: anyone who reaches the
   *     fake could read its traffic and take it down, so only tests and benchmarks turn them on, never
   *     the console's demo backend
   * @param logprobs whether log probabilities are answered when a request asks for them; false makes
   *     the fake ignore them, as a backend without them does
   */
  public record Options(
      HostPort listen,
      Dialect dialect,
      List<String> models,
      double tokenRate,
      int tokens,
      boolean think,
      long latencyMs,
      double errorRate,
      String requireKey,
      boolean strictTools,
      boolean controlRoutes,
      boolean logprobs) {

    public Options {
      if (listen == null || dialect == null || models == null) {
        throw new IllegalArgumentException("listen, dialect and models are required");
      }
      models = models.stream().map(String::strip).toList();
      if (models.isEmpty() || models.stream().anyMatch(String::isEmpty)) {
        throw new IllegalArgumentException(
            "--models needs one or more names separated by commas, e.g. fake-llama,fake-r1");
      }
      if (!(tokenRate >= 0) || Double.isInfinite(tokenRate)) {
        throw new IllegalArgumentException(
            "--token-rate must be 0 (as fast as possible) or a number of tokens per second (got " + tokenRate + ")");
      }
      if (tokens < 0) {
        throw new IllegalArgumentException("--tokens must be 0 or more (got " + tokens + ")");
      }
      if (latencyMs < 0) {
        throw new IllegalArgumentException("--latency must be 0 or more milliseconds (got " + latencyMs + ")");
      }
      if (!(errorRate >= 0 && errorRate <= 1)) {
        throw new IllegalArgumentException(
            "--error-rate must be between 0.0 (never fail) and 1.0 (always fail) (got " + errorRate + ")");
      }
      if (requireKey != null && requireKey.isBlank()) {
        throw new IllegalArgumentException("--require-key must not be blank; leave it out to need no key");
      }
    }

    public static Options defaults() {
      return new Options(
          new HostPort("127.0.0.1", 0), Dialect.BOTH, List.of("fake-llama", "fake-r1"), 0, 24, false, 0, 0, null, false,
          false, true);
    }

    public Options withListen(HostPort listen) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    public Options withDialect(Dialect dialect) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    public Options withModels(String... models) {
      return new Options(listen, dialect, Arrays.asList(models), tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    public Options withTokenRate(double tokenRate) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    public Options withTokens(int tokens) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    public Options withThink(boolean think) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    public Options withLatencyMs(long latencyMs) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    public Options withErrorRate(double errorRate) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    public Options withRequireKey(String requireKey) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    public Options withStrictTools(boolean strictTools) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    /** Answering log probabilities when asked, or ignoring them as a backend without them does. */
    public Options withLogprobs(boolean logprobs) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }

    /** With the test hooks under {@code /_fake/} (traffic counters, faults) served, or not. */
    public Options withControlRoutes(boolean controlRoutes) {
      return new Options(listen, dialect, models, tokenRate, tokens, think, latencyMs, errorRate, requireKey, strictTools,
          controlRoutes, logprobs);
    }
  }

  /**
   * What clients have asked so far; {@code GET /_fake/stats} answers the same as JSON (with the
   * control routes on).
   *
   * @param requests requests that reached a generation or embedding route, whatever their outcome
   * @param active answers being generated right now
   * @param completed answers delivered whole
   * @param cancelled answers cut short because the client went away
   * @param lastAuthorization the {@code Authorization} header of the last request outside
   *     {@code /_fake/}, or null if it had none
   */
  public record Stats(
      long requests,
      int active,
      long completed,
      long cancelled,
      @JsonProperty("last_authorization") String lastAuthorization) {}
}
