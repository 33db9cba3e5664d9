package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.cache.AnswerCache;
import dev.ollamabridge.bridge.cache.RedisTier;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/** The bridge's Prometheus metrics, in a registry of its own. */
public final class BridgeMetrics {

  /** Generation takes seconds to minutes; the first token should take well under one. */
  private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

  /** A Redis command takes a fraction of a millisecond on a LAN, and at most the tier's timeout (0.2 s). */
  private static final double[] REDIS_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  private final Counter requests = Counter.builder().name("bridge_requests_total")
      .help("Requests answered, by route, HTTP status and cache outcome (hit, miss, off).")
      .labelNames("route", "status", "cache").register(registry);
  private final Counter consoleRequests = Counter.builder().name("bridge_console_requests_total")
      .help("Requests the console sent (model discovery, health probes, metrics scrapes), by route; kept out of"
          + " bridge_requests_total and the latency histograms, which count clients only.")
      .labelNames("route").register(registry);
  private final Histogram duration = Histogram.builder().name("bridge_request_duration_seconds")
      .help("Time from request to last byte, by route.").classicOnly().classicUpperBounds(LATENCY_BUCKETS)
      .labelNames("route").register(registry);
  private final Histogram firstToken = Histogram.builder().name("bridge_time_to_first_token_seconds")
      .help("Time from request to the first answer text sent to the client, by route.").classicOnly()
      .classicUpperBounds(LATENCY_BUCKETS).labelNames("route").register(registry);
  private final Counter upstreamErrors = Counter.builder().name("bridge_upstream_errors_total")
      .help("Failed upstream attempts, by kind (connect, timeout, status_5xx, stream).")
      .labelNames("kind").register(registry);
  private final Counter upstreamRetries = Counter.builder().name("bridge_upstream_retries_total")
      .help("Upstream calls retried after a failed attempt.").register(registry);
  private final Gauge inFlight = Gauge.builder().name("bridge_requests_in_flight")
      .help("Requests being answered now.").register(registry);
  private final Counter cancelled = Counter.builder().name("bridge_client_disconnects_total")
      .help("Answers, streamed or not, ended early because the client went away; the upstream call was cancelled.")
      .register(registry);
  private final Counter promptTokens = Counter.builder().name("bridge_prompt_tokens_total")
      .help("Prompt tokens of completed answers, as the upstream counted them.").register(registry);
  private final Counter completionTokens = Counter.builder().name("bridge_completion_tokens_total")
      .help("Completion tokens of completed answers, as the upstream counted them.").register(registry);
  private final Histogram admissionWait = Histogram.builder().name("bridge_admission_wait_seconds")
      .help("Time a generation waited for one of the --max-concurrent slots before it got one (0 when one was free).")
      .classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
  private final Counter admissionRejections = Counter.builder().name("bridge_admission_rejections_total")
      .help("Generations answered 503 for want of a slot, by reason (queue_full, timeout).")
      .labelNames("reason").register(registry);

  private final Counter requestLogDropped = Counter.builder().name("bridge_request_log_dropped_total")
      .help("Request log lines dropped: the writer's queue was full (the disk did not keep up) or the file could not be"
          + " written.").register(registry);

  /** The most (key, model) pairs the usage metrics keep apart; later pairs count under model {@value #OTHER}. */
  static final int MAX_USAGE_PAIRS = 500;
  static final String OTHER = "(other)";
  /** A model name longer than this is no model a backend serves: counted under {@value #OTHER}. */
  private static final int MAX_MODEL_LABEL = 200;

  private final Counter usageRequests = Counter.builder().name("bridge_usage_requests_total")
      .help("Client requests by client key (its id, or none) and model as the client named it (none for a route without"
          + " one, (other) past " + MAX_USAGE_PAIRS + " pairs); the console's own and internal keys' are left out.")
      .labelNames("key", "model").register(registry);
  private final Counter usageErrors = Counter.builder().name("bridge_usage_errors_total")
      .help("Client requests answered with a status of 400 or more, by key and model.")
      .labelNames("key", "model").register(registry);
  private final Counter usagePromptTokens = Counter.builder().name("bridge_usage_prompt_tokens_total")
      .help("Prompt tokens the backend spent on client requests, by key and model; cache hits spend none.")
      .labelNames("key", "model").register(registry);
  private final Counter usageCompletionTokens = Counter.builder().name("bridge_usage_completion_tokens_total")
      .help("Completion tokens the backend spent on client requests, by key and model.")
      .labelNames("key", "model").register(registry);
  private final Counter usageCacheHits = Counter.builder().name("bridge_usage_cache_hits_total")
      .help("Client requests answered from the cache, by key and model.")
      .labelNames("key", "model").register(registry);
  /** The pairs counted apart so far; bounded by {@link #MAX_USAGE_PAIRS} (plus one (other) per key). */
  private final Map<UsagePair, UsageSeries> usageSeries = new ConcurrentHashMap<>();
  private final Map<RequestSeries, CounterDataPoint> requestSeries = new ConcurrentHashMap<>();
  private final Map<String, DistributionDataPoint> durations = new ConcurrentHashMap<>();
  private final Map<String, DistributionDataPoint> firstTokens = new ConcurrentHashMap<>();

  public BridgeMetrics() {
    // fractional: two starts within one second are still two resets to whoever scrapes
    double started = System.currentTimeMillis() / 1000.0;
    GaugeWithCallback.builder().name("bridge_start_time_seconds")
        .help("When this bridge started, in seconds since the epoch: a change tells a scraper its counters began again.")
        .callback(callback -> callback.call(started)).register(registry);
  }

  /**
   * One client request, counted for its key and model.
   *
   * @param key the key's id, or null for none
   * @param model the model as the client named it, or null for none
   * @param promptTokens the tokens the backend spent, or null when it spent none (or did not say)
   */
  void usage(String key, String model, int status, Long promptTokens, Long completionTokens, boolean cacheHit) {
    String keyLabel = key == null ? "none" : key;
    String modelLabel = model == null || model.isEmpty() ? "none" : model.length() > MAX_MODEL_LABEL ? OTHER : model;
    UsageSeries series = usageSeries.get(new UsagePair(keyLabel, modelLabel));
    if (series == null) {
      synchronized (usageSeries) {
        UsagePair pair = new UsagePair(keyLabel, usageSeries.size() < MAX_USAGE_PAIRS ? modelLabel : OTHER);
        series = usageSeries.computeIfAbsent(pair, this::seriesOf);
      }
    }
    series.requests().inc();
    if (status >= 400) {
      series.errors().inc();
    }
    if (cacheHit) {
      series.cacheHits().inc();
    }
    series.promptTokens().inc(promptTokens == null ? 0 : promptTokens);
    series.completionTokens().inc(completionTokens == null ? 0 : completionTokens);
  }

  /** A key and model's usage series, there from the pair's first request, so that a rate over any starts at 0. */
  private UsageSeries seriesOf(UsagePair pair) {
    return new UsageSeries(usageRequests.labelValues(pair.key(), pair.model()),
        usageErrors.labelValues(pair.key(), pair.model()), usageCacheHits.labelValues(pair.key(), pair.model()),
        usagePromptTokens.labelValues(pair.key(), pair.model()), usageCompletionTokens.labelValues(pair.key(), pair.model()));
  }

  private record UsagePair(String key, String model) {}

  /** The data points of one pair, looked up once rather than on every request. */
  private record UsageSeries(CounterDataPoint requests, CounterDataPoint errors, CounterDataPoint cacheHits,
      CounterDataPoint promptTokens, CounterDataPoint completionTokens) {}

  /** Adds the cache's own counts, read when scraped. */
  public void watch(AnswerCache cache) {
    GaugeWithCallback.builder().name("bridge_cache_entries").help("Cached answers, by tier.")
        .labelNames("tier")
        .callback(callback -> {
          AnswerCache.Stats stats = cache.stats();
          callback.call(stats.memoryEntries(), "memory");
          callback.call(stats.diskEntries(), "disk");
        })
        .register(registry);
    CounterWithCallback.builder().name("bridge_cache_hits_total")
        .help("Requests answered from the cache, by the tier that had the answer (memory, disk, redis); their sum is"
            + " every hit.")
        .labelNames("tier")
        .callback(callback -> {
          AnswerCache.Stats stats = cache.stats();
          callback.call(stats.memoryHits(), "memory");
          callback.call(stats.diskHits(), "disk");
          cache.redis().ifPresent(redis -> callback.call(stats.redisHits(), "redis"));
        })
        .register(registry);
    counter("bridge_cache_misses_total", "Cacheable requests not found in the cache.", cache, AnswerCache.Stats::misses);
    counter("bridge_cache_evictions_total", "Entries dropped for size or age.", cache, AnswerCache.Stats::evictions);
  }

  /**
   * The Redis tier's command latency ({@code bridge_cache_redis_seconds}) and failed commands
   * ({@code bridge_cache_redis_errors_total}); registered only for a bridge with {@code --cache-redis}.
   */
  public RedisTier.Observer redisObserver() {
    Histogram latency = Histogram.builder().name("bridge_cache_redis_seconds")
        .help("Time of each Redis command (the cache's GET and SET, the client keys' counters), failed ones included; a"
            + " failure waits at most 0.2 s.")
        .classicOnly().classicUpperBounds(REDIS_BUCKETS).register(registry);
    Counter errors = Counter.builder().name("bridge_cache_redis_errors_total")
        .help("Redis cache commands that failed (timeout, connection refused or lost, password refused); each opens the"
            + " circuit breaker for a while.")
        .register(registry);
    return (seconds, failed) -> {
      latency.observe(seconds);
      if (failed) {
        errors.inc();
      }
    };
  }

  /** Adds the slots and queue of {@code --max-concurrent}, read when scraped. */
  void watch(Admission admission) {
    GaugeWithCallback.builder().name("bridge_admission_slots_limit")
        .help("Generations the bridge sends to the backend at once (--max-concurrent); 0 for no limit.")
        .callback(callback -> callback.call(admission.maxConcurrent())).register(registry);
    GaugeWithCallback.builder().name("bridge_admission_slots_in_use").help("Generations holding a slot now.")
        .callback(callback -> callback.call(admission.inUse())).register(registry);
    GaugeWithCallback.builder().name("bridge_admission_queue_depth").help("Generations waiting for a slot now.")
        .callback(callback -> callback.call(admission.queued())).register(registry);
  }

  void admitted(double waitedSeconds) {
    admissionWait.observe(waitedSeconds);
  }

  void rejected(String reason) {
    admissionRejections.labelValues(reason).inc();
  }

  public void request(String route, int status, String cache, double seconds) {
    // looked up once per route, status and cache outcome (a handful), not on every request
    requestSeries.computeIfAbsent(new RequestSeries(route, status, cache),
        series -> requests.labelValues(route, Integer.toString(status), cache)).inc();
    durations.computeIfAbsent(route, r -> duration.labelValues(r)).observe(seconds);
  }

  private record RequestSeries(String route, int status, String cache) {}

  /** One request of the console's own; {@code route} is one of the bridge's fixed paths. */
  public void consoleRequest(String route) {
    consoleRequests.labelValues(route).inc();
  }

  public void firstToken(String route, double seconds) {
    firstTokens.computeIfAbsent(route, r -> firstToken.labelValues(r)).observe(seconds);
  }

  public void upstreamError(String kind) {
    upstreamErrors.labelValues(kind).inc();
  }

  public void upstreamRetry() {
    upstreamRetries.inc();
  }

  /** One line of the request log dropped. */
  public void requestLogDropped() {
    requestLogDropped.inc();
  }

  public void clientDisconnected() {
    cancelled.inc();
  }

  public void tokens(long prompt, long completion) {
    promptTokens.inc(prompt);
    completionTokens.inc(completion);
  }

  public void enter() {
    inFlight.inc();
  }

  public void leave() {
    inFlight.dec();
  }

  public String contentType() {
    return writer.getContentType();
  }

  public void writeTo(OutputStream out) throws IOException {
    writer.write(out, registry.scrape());
  }

  private void counter(String name, String help, AnswerCache cache, ToLongFunction<AnswerCache.Stats> value) {
    CounterWithCallback.builder().name(name).help(help)
        .callback(callback -> callback.call(value.applyAsLong(cache.stats())))
        .register(registry);
  }
}
