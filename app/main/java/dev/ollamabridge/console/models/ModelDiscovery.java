package dev.ollamabridge.console.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceRepository;
import dev.ollamabridge.console.instances.InstanceRules;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns each instance's models from its bridge ({@code GET /api/tags}, which a bridge answers in
 * front of either kind of backend): when the instance turns healthy and every
 * {@code models.refresh_s} while it is. A changed list is stored, recorded as an event and told
 * to the listener, which has nginx route by it.
 */
public final class ModelDiscovery implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelDiscovery.class);

  private final InstanceRepository instances;
  private final ModelRepository models;
  private final Supplier<Set<Long>> healthy;
  private final Supplier<Duration> interval;
  private final OkHttpClient http;
  private final EventLog events;
  private final Clock clock;
  private final Runnable changed;
  private final ObjectMapper json = new ObjectMapper();
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "models-timer"));
  private final ExecutorService asks = Executors.newCachedThreadPool(r -> daemon(r, "models-ask"));

  /**
   * @param healthy the ids of the instances whose health checks pass: only those are asked
   * @param changed told after a list changed (on a discovery thread)
   */
  public ModelDiscovery(InstanceRepository instances, ModelRepository models, Supplier<Set<Long>> healthy,
      Supplier<Duration> interval, OkHttpClient http, EventLog events, Clock clock, Runnable changed) {
    this.instances = instances;
    this.models = models;
    this.healthy = healthy;
    this.interval = interval;
    this.http = http.newBuilder().callTimeout(Duration.ofSeconds(10)).build();
    this.events = events;
    this.clock = clock;
    this.changed = changed;
  }

  public void start() {
    timer.schedule(this::round, 0, TimeUnit.MILLISECONDS);
  }

  /** Asks one instance now, as when it has just turned healthy. */
  public void discoverSoon(long instanceId) {
    instances.find(instanceId).ifPresent(this::ask);
  }

  private void round() {
    try {
      Set<Long> up = healthy.get();
      instances.all().stream().filter(i -> i.enabled() && up.contains(i.id())).forEach(this::ask);
    } catch (RuntimeException e) {
      log.warn("model discovery round failed: {}", e.toString());
    } finally {
      if (!timer.isShutdown()) {
        timer.schedule(this::round, interval.get().toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  private void ask(Instance instance) {
    if (asks.isShutdown() || !inFlight.add(instance.id())) {
      return;
    }
    asks.execute(() -> {
      try {
        store(instance, listed(instance));
      } catch (IOException | RuntimeException e) {
        log.debug("could not ask {} for its models: {}", instance.name(), e.toString());
      } finally {
        inFlight.remove(instance.id());
      }
    });
  }

  /** The names the bridge lists; a bridge that demands client keys is asked with one. */
  private SortedSet<String> listed(Instance instance) throws IOException {
    Request.Builder request = new Request.Builder().url("http://" + instance.reachableAddress() + "/api/tags");
    if (!instance.clientKeys().isEmpty()) {
      request.header("Authorization", "Bearer " + instance.clientKeys().get(0));
    }
    try (Response response = http.newCall(request.build()).execute()) {
      if (!response.isSuccessful()) {
        throw new IOException("GET /api/tags answered " + response.code());
      }
      SortedSet<String> names = new TreeSet<>();
      for (JsonNode model : json.readTree(response.body().byteStream()).path("models")) {
        String name = model.path("name").asText(model.path("model").asText(""));
        if (InstanceRules.MODEL.matcher(name).matches()) {
          names.add(name);
        } else if (!name.isEmpty()) {
          log.warn("{} lists a model named {}, which nginx cannot route by; it is left out", instance.name(), name);
        }
      }
      return names;
    }
  }

  private void store(Instance instance, SortedSet<String> names) {
    SortedSet<String> before = models.names(instance.id());
    models.replace(instance.id(), names, clock.instant());
    if (!before.equals(names)) {
      events.record("models", "models.changed", instance.name(), difference(before, names));
      changed.run();
    }
  }

  private static String difference(SortedSet<String> before, SortedSet<String> after) {
    List<String> added = after.stream().filter(name -> !before.contains(name)).map(name -> "+" + name).toList();
    List<String> gone = before.stream().filter(name -> !after.contains(name)).map(name -> "-" + name).toList();
    return String.join(" ", added) + (added.isEmpty() || gone.isEmpty() ? "" : " ") + String.join(" ", gone);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    asks.shutdownNow();
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }
}
