package dev.ollamabridge.console.health;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.http.CallFailures;
import dev.ollamabridge.http.ConsoleTraffic;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * Active health checks, as stock nginx lacks them: every interval, a {@code GET /health} of each
 * target, all at once and off the API's threads. A target whose previous check has not returned
 * is skipped rather than piled up. Transitions between healthy and unhealthy go to the listeners.
 */
public final class HealthChecker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  /** One thing to check: its key (the instance id) and the base URL of its bridge. */
  public record Target(long id, String name, String baseUrl) {}

  /** Told when a target turns healthy or unhealthy. */
  public interface Listener {
    void changed(Target target, HealthState state);
  }

  private final Supplier<List<Target>> targets;
  private final Supplier<HealthPolicy> policy;
  private final OkHttpClient http;
  private final Clock clock;
  private final Map<Long, HealthState> states = new ConcurrentHashMap<>();
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
  /** Targets stopped on purpose: not checked, down, until resumed. */
  private final Set<Long> paused = ConcurrentHashMap.newKeySet();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "health-timer"));
  private final ExecutorService checks = Executors.newCachedThreadPool(runnable -> daemon(runnable, "health-check"));

  public HealthChecker(Supplier<List<Target>> targets, Supplier<HealthPolicy> policy, OkHttpClient http, Clock clock) {
    this.targets = targets;
    this.policy = policy;
    this.http = http;
    this.clock = clock;
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** Starts checking; the interval is read from the policy at every round, so a change applies at once. */
  public void start() {
    timer.schedule(this::round, 0, TimeUnit.MILLISECONDS);
  }

  /** The ids of the targets whose checks pass now. */
  public java.util.Set<Long> healthyIds() {
    return states.entrySet().stream().filter(entry -> entry.getValue().healthy())
        .map(Map.Entry::getKey).collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  public Optional<HealthState> state(long id) {
    return Optional.ofNullable(states.get(id));
  }

  /** Starts a target from a verdict known before (a console restart), with no checks counted yet. */
  public void seed(long id, boolean healthy) {
    states.putIfAbsent(id, new HealthState(healthy, 0, 0, null, 0, 0, null));
  }

  /**
   * Stops checking a target that is being stopped on purpose: it is down from now on, without a
   * transition told to the listeners, and a check on its way when this is called counts for nothing.
   */
  public void pause(long id) {
    paused.add(id);
    states.put(id, HealthState.NEW);
  }

  /** Checks a paused target again, from the start: down until {@code rise} checks pass. */
  public void resume(long id) {
    states.put(id, HealthState.NEW);
    paused.remove(id);
  }

  /** Forgets a target that was removed; a re-added one starts down again. */
  public void forget(long id) {
    states.remove(id);
  }

  private void round() {
    HealthPolicy current = policy.get();
    try {
      List<Target> now = targets.get();
      states.keySet().retainAll(now.stream().map(Target::id).toList());
      paused.retainAll(now.stream().map(Target::id).toList());
      for (Target target : now) {
        if (!paused.contains(target.id()) && inFlight.add(target.id())) {
          checks.execute(() -> check(target, current));
        }
      }
    } catch (RuntimeException e) {
      log.warn("health round failed: {}", e.toString());
    } finally {
      if (!timer.isShutdown()) {
        timer.schedule(this::round, current.interval().toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  private void check(Target target, HealthPolicy current) {
    try {
      long start = System.nanoTime();
      Probe probe = probe(target, current.timeout());
      long latency = Duration.ofNanos(System.nanoTime() - start).toMillis();
      HealthState before = states.getOrDefault(target.id(), HealthState.NEW);
      HealthState after = before.next(probe.passed(), probe.status(), latency, probe.error(), current, clock.instant());
      // a target paused while its check was on its way keeps the state pause gave it
      if (states.compute(target.id(), (id, now) -> paused.contains(id) ? now : after) != after) {
        return;
      }
      if (before.healthy() != after.healthy()) {
        listeners.forEach(listener -> listener.changed(target, after));
      }
    } finally {
      inFlight.remove(target.id());
    }
  }

  /** One {@code GET /health}: its status (0 when nothing answered) and, if it failed, why. */
  private record Probe(int status, String error) {
    boolean passed() {
      return status == 200;
    }
  }

  private Probe probe(Target target, Duration timeout) {
    OkHttpClient client = http.newBuilder().callTimeout(timeout).build();
    HttpUrl url = HttpUrl.get(target.baseUrl() + "/health");
    try (Response response = client.newCall(new Request.Builder().url(url)
        .header(ConsoleTraffic.HEADER, ConsoleTraffic.VALUE).build()).execute()) {
      if (response.code() == 200) {
        return new Probe(200, null);
      }
      return new Probe(response.code(), BridgeHealthReason.of(response).orElse("GET /health answered " + response.code()));
    } catch (IOException e) {
      return new Probe(0, "bridge " + CallFailures.describe(e, new HostPort(url.host(), url.port()).toString()));
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    checks.shutdownNow();
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }
}
