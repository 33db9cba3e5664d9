package dev.ollamabridge.console.metrics;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.http.CallFailures;
import dev.ollamabridge.http.ConsoleTraffic;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every bridge's {@code /metrics} each interval (read again at every round, so a change applies
 * from the next one), all at once and off the API's threads, and
 * keeps per bridge a window of {@link Figures} computed from consecutive scrapes, for the
 * dashboard's live figures and charts. A bridge whose previous scrape has not returned is skipped
 * rather than piled up; a failed scrape is remembered ({@link #lastError}), never thrown; a
 * bridge that leaves the targets is forgotten.
 */
public final class BridgeScraper implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BridgeScraper.class);

  /** A bridge answers {@code /metrics} from memory; one that takes longer than this is as good as down. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
  /** When the interval cannot be read, the next round comes after this long. */
  private static final Duration RETRY = Duration.ofSeconds(5);

  /** One bridge to read: its key (the instance id), its name, and its base URL ({@code http://host:port}). */
  public record Target(long id, String name, String baseUrl) {}

  /**
   * Told of every successful scrape, on the scrape's thread, never twice at once for one bridge: the
   * usage rollup reads its counters from here.
   */
  @FunctionalInterface
  public interface Listener {
    void scraped(Target target, Instant at, List<Sample> samples);
  }

  private final Supplier<List<Target>> targets;
  private final OkHttpClient http;
  private final Supplier<Duration> interval;
  private final Duration window;
  private final Clock clock;
  private final Optional<NginxAnswers> nginx;
  private final Map<Long, ScrapeWindow> windows = new ConcurrentHashMap<>();
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
  private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "metrics-timer"));
  private final ExecutorService scrapes = Executors.newCachedThreadPool(runnable -> daemon(runnable, "metrics-scrape"));

  /** A scraper that reads every {@code interval}. */
  public BridgeScraper(Supplier<List<Target>> targets, OkHttpClient http, Duration interval, Duration window,
      Clock clock) {
    this(targets, http, () -> interval, window, clock);
  }

  /**
   * @param http the console's client; calls get their own short timeout
   * @param interval how often each bridge is read (the console's metrics.scrape_interval_ms), asked at
   *     every round; always positive and shorter than the window
   * @param window how much history is kept per bridge (an hour for the charts)
   */
  public BridgeScraper(Supplier<List<Target>> targets, OkHttpClient http, Supplier<Duration> interval, Duration window,
      Clock clock) {
    this(targets, http, interval, window, clock, Optional.empty());
  }

  /**
   * As above, also reading at each round what the managed nginx answered itself.
   *
   * @param nginx the managed nginx's answers, or empty when the console runs none
   */
  public BridgeScraper(Supplier<List<Target>> targets, OkHttpClient http, Supplier<Duration> interval, Duration window,
      Clock clock, Optional<NginxAnswers> nginx) {
    this.targets = targets;
    this.nginx = nginx;
    this.http = http.newBuilder().callTimeout(CALL_TIMEOUT).build();
    this.interval = interval;
    this.window = window;
    this.clock = clock;
    interval(); // checked up front too
  }

  /** Starts reading: a first round now (a baseline), then one every interval. */
  public void start() {
    timer.execute(this::tick);
  }

  /** Adds a listener of every successful scrape; one that throws is logged and does not fail the scrape. */
  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** The interval as it is now. */
  public Duration interval() {
    Duration now = interval.get();
    if (now == null || now.isNegative() || now.isZero()) {
      throw new IllegalArgumentException("the scrape interval must be positive (got " + now + ")");
    }
    if (window == null || window.compareTo(now) <= 0) {
      throw new IllegalArgumentException(
          "the metrics window must be longer than the scrape interval " + now + " (got " + window + ")");
    }
    return now;
  }

  /** The figures of the last interval of a bridge; empty until it has been read twice. */
  public Optional<Figures> latest(long id) {
    return Optional.ofNullable(windows.get(id)).flatMap(ScrapeWindow::latest);
  }

  /** A bridge's figures over the window, oldest first; empty for a bridge not (yet) read twice. */
  public List<Figures> window(long id) {
    ScrapeWindow figures = windows.get(id);
    return figures == null ? List.of() : figures.figures(clock.instant());
  }

  /** The same window as columns for a chart, with gaps where the bridge could not be read. */
  public Series series(long id) {
    return Series.of(window(id), maxGap(interval()));
  }

  /** The whole cluster's requests and errors over the window, nginx's own answers included. */
  public ClusterSeries clusterSeries() {
    Instant now = clock.instant();
    return ClusterSeries.of(windows.values().stream().map(figures -> figures.figures(now)).toList(),
        nginx.map(NginxAnswers::window).orElse(List.of()), nginx.isPresent(), interval());
  }

  /** What the managed nginx answered itself; empty when the console runs no nginx of its own. */
  public Optional<NginxAnswers> nginx() {
    return nginx;
  }

  /** Why the last scrape of a bridge failed; empty when it succeeded or none was tried. */
  public Optional<String> lastError(long id) {
    return Optional.ofNullable(windows.get(id)).flatMap(ScrapeWindow::lastError);
  }

  /** One round of scrapes on the calling thread, returning when all are done: for tests. */
  void scrapeAll() {
    round(Runnable::run, maxGap(interval()));
  }

  private void tick() {
    Duration next = RETRY;
    try {
      next = interval();
      round(scrapes, maxGap(next));
    } catch (RuntimeException e) {
      log.warn("metrics round failed: {}", e.toString());
    } finally {
      if (!timer.isShutdown()) {
        timer.schedule(this::tick, next.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * The longest time between two scrapes that still gives a figure: three intervals and a slow call.
   * After a longer silence the next scrape only starts a new baseline, so an outage shows as a gap.
   */
  private static Duration maxGap(Duration interval) {
    return interval.multipliedBy(3).plus(CALL_TIMEOUT);
  }

  private void round(Executor executor, Duration maxGap) {
    try {
      nginx.ifPresent(answers -> answers.read(clock.instant()));
      List<Target> now = targets.get();
      windows.keySet().retainAll(now.stream().map(Target::id).toList());
      for (Target target : now) {
        ScrapeWindow figures = windows.computeIfAbsent(target.id(), id -> new ScrapeWindow(window));
        if (inFlight.add(target.id())) {
          executor.execute(() -> scrape(target, figures, maxGap));
        }
      }
    } catch (RuntimeException e) {
      log.warn("metrics round failed: {}", e.toString());
    }
  }

  private void scrape(Target target, ScrapeWindow figures, Duration maxGap) {
    try (Response response = http.newCall(new Request.Builder().url(target.baseUrl() + "/metrics")
        .header(ConsoleTraffic.HEADER, ConsoleTraffic.VALUE).build()).execute()) {
      if (response.code() != 200) {
        figures.failed("GET /metrics answered " + response.code(), clock.instant());
        return;
      }
      String text = response.body().string();
      Scrape scrape = Scrape.of(clock.instant(), text);
      figures.scraped(scrape, maxGap);
      tell(target, scrape);
    } catch (IOException e) { // unreachable
      log.debug("could not read the metrics of {}: {}", target.name(), e.toString());
      HttpUrl url = HttpUrl.get(target.baseUrl());
      figures.failed("bridge " + CallFailures.describe(e, new HostPort(url.host(), url.port()).toString()), clock.instant());
    } catch (IllegalArgumentException e) { // malformed URL or text
      log.debug("could not read the metrics of {}: {}", target.name(), e.toString());
      figures.failed(e.getMessage() == null ? e.toString() : e.getMessage(), clock.instant());
    } finally {
      inFlight.remove(target.id());
    }
  }

  private void tell(Target target, Scrape scrape) {
    for (Listener listener : listeners) {
      try {
        listener.scraped(target, scrape.at(), scrape.samples());
      } catch (RuntimeException e) {
        log.warn("a listener of the metrics of {} failed: {}", target.name(), e.toString());
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    scrapes.shutdownNow();
    nginx.ifPresent(NginxAnswers::close);
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }
}
