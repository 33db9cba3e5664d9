package dev.ollamabridge.console.models;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceRepository;
import dev.ollamabridge.console.instances.InstanceRules;
import dev.ollamabridge.http.ConsoleTraffic;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
  /** The most models kept of one instance: an ordinary Ollama box has dozens, a catalogue API hundreds. */
  public static final int MAX_MODELS = 1000;
  /** The most names of each kind one models.changed event spells out. */
  static final int EVENT_NAMES = 20;
  /**
   * The largest /api/tags answer read, as a stream: room to count a list of 100,000 names, which is
   * kept to its first {@link #MAX_MODELS}.
   */
  private static final long MAX_ANSWER_BYTES = 64L << 20;

  private final InstanceRepository instances;
  private final ModelRepository models;
  private final Supplier<Set<Long>> healthy;
  private final Supplier<Duration> interval;
  private final OkHttpClient http;
  private final EventLog events;
  private final Clock clock;
  private final Consumer<String> changed;
  private final String consoleKey;
  private final ObjectMapper json = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxDocumentLength(MAX_ANSWER_BYTES).build()).build());
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
  /** Per instance, how many names its last list had beyond {@link #MAX_MODELS}: the event is told once. */
  private final Map<Long, Integer> droppedBefore = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "models-timer"));
  private final ExecutorService asks = Executors.newCachedThreadPool(r -> daemon(r, "models-ask"));

  /**
   * @param healthy the ids of the instances whose health checks pass: only those are asked
   * @param changed told after a list changed, with the change ({@code b2 +llama3 -qwen}), on a discovery thread
   */
  public ModelDiscovery(InstanceRepository instances, ModelRepository models, Supplier<Set<Long>> healthy,
      Supplier<Duration> interval, OkHttpClient http, EventLog events, Clock clock, Consumer<String> changed) {
    this(instances, models, healthy, interval, http, events, clock, changed, null);
  }

  /**
   * @param consoleKey the console's own client key, sent to a bridge that has no key of its own
   *     ({@code --client-key}) and that the console runs: the cluster's keys guard its model list; null for none
   */
  public ModelDiscovery(InstanceRepository instances, ModelRepository models, Supplier<Set<Long>> healthy,
      Supplier<Duration> interval, OkHttpClient http, EventLog events, Clock clock, Consumer<String> changed,
      String consoleKey) {
    this.consoleKey = consoleKey;
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

  /**
   * The names the bridge lists, at most {@link #MAX_MODELS} of them, read as a stream so that a list
   * of any length costs no more memory than that; a bridge that demands client keys is asked with one.
   */
  private Listing listed(Instance instance) throws IOException {
    Request.Builder request = new Request.Builder().url("http://" + instance.reachableAddress() + "/api/tags")
        .header(ConsoleTraffic.HEADER, ConsoleTraffic.VALUE);
    if (!instance.clientKeys().isEmpty()) {
      request.header("Authorization", "Bearer " + instance.clientKeys().get(0));
    } else if (consoleKey != null && instance.managed()) { // an external bridge is not the cluster's: it gets no secret
      request.header("Authorization", "Bearer " + consoleKey);
    }
    try (Response response = http.newCall(request.build()).execute()) {
      if (!response.isSuccessful()) {
        throw new IOException("GET /api/tags answered " + response.code());
      }
      Listing listing = new Listing();
      try (JsonParser parser = json.getFactory().createParser(response.body().byteStream())) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          throw new IOException("GET /api/tags answered no JSON object");
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String field = parser.currentName();
          if (parser.nextToken() == JsonToken.START_ARRAY && field.equals("models")) {
            while (parser.nextToken() == JsonToken.START_OBJECT) {
              JsonNode model = json.readTree(parser);
              JsonNode name = model.path("name").isTextual() ? model.path("name") : model.path("model");
              listing.add(name.isTextual() ? name.textValue() : "");
            }
          } else {
            parser.skipChildren();
          }
        }
      }
      if (listing.unfit > 0) {
        log.warn("{} lists {} model name(s) nginx cannot route by (letters, digits and ._:/@+- only, at most 200"
            + " characters); they are left out", instance.name(), listing.unfit);
      }
      return listing;
    }
  }

  /**
   * What one answer listed: the routable names kept (the first {@link #MAX_MODELS} in name order,
   * so the same list keeps the same names however a backend orders it), and how many routable and
   * unfit names it had in all.
   */
  private static final class Listing {
    private final SortedSet<String> names = new TreeSet<>();
    private int listed;
    private int unfit;

    void add(String name) {
      if (!InstanceRules.MODEL.matcher(name).matches()) {
        unfit += name.isEmpty() ? 0 : 1;
      } else if (names.add(name)) {
        listed++;
        if (names.size() > MAX_MODELS) {
          names.remove(names.last());
        }
      }
    }
  }

  private void store(Instance instance, Listing listing) {
    SortedSet<String> names = listing.names;
    SortedSet<String> before = models.names(instance.id());
    models.replace(instance.id(), names, clock.instant());
    int dropped = listing.listed - names.size();
    Integer told = droppedBefore.put(instance.id(), dropped);
    if (dropped > 0 && (told == null || told != dropped)) {
      events.record("models", "models.capped", instance.name(), "lists " + listing.listed + " models; the first "
          + names.size() + " are kept, " + dropped + " left out (at most " + MAX_MODELS + " per instance)");
    }
    if (!before.equals(names)) {
      String difference = difference(before, names);
      events.record("models", "models.changed", instance.name(), difference);
      changed.accept(instance.name() + " " + difference);
    }
  }

  /**
   * The change as {@code +added -gone} names, at most {@link #EVENT_NAMES} of each, and the counts
   * when there are more.
   */
  static String difference(SortedSet<String> before, SortedSet<String> after) {
    List<String> added = after.stream().filter(name -> !before.contains(name)).toList();
    List<String> gone = before.stream().filter(name -> !after.contains(name)).toList();
    List<String> shown = new ArrayList<>();
    added.stream().limit(EVENT_NAMES).map(name -> "+" + name).forEach(shown::add);
    gone.stream().limit(EVENT_NAMES).map(name -> "-" + name).forEach(shown::add);
    String text = String.join(" ", shown);
    if (added.size() > EVENT_NAMES || gone.size() > EVENT_NAMES) {
      text += " … (" + added.size() + " added, " + gone.size() + " gone, " + after.size() + " now)";
    }
    return text;
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
