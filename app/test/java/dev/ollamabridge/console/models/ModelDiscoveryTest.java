package dev.ollamabridge.console.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceRepository;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.Retention;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the console learns from a bridge's {@code /api/tags}: the names it can route by, stored
 * with the time seen; a change is an event and is told once; a bridge that demands client keys
 * is asked with one.
 */
class ModelDiscoveryTest {

  @TempDir Path data;
  private final MockWebServer bridge = new MockWebServer();
  private Database database;
  private InstanceRepository instances;
  private ModelRepository models;
  private EventLog events;
  private final AtomicInteger changes = new AtomicInteger();
  private ModelDiscovery discovery;

  @BeforeEach
  void start() throws Exception {
    bridge.start();
    database = Database.open(data.resolve("console.db"));
    instances = new InstanceRepository(database, new ObjectMapper());
    models = new ModelRepository(database);
    events = new EventLog(database, () -> new Retention(1000, Duration.ofDays(1)));
    discovery = new ModelDiscovery(instances, models, Set::of, () -> Duration.ofHours(1), new OkHttpClient(), events,
        Clock.systemUTC(), change -> changes.incrementAndGet());
  }

  @AfterEach
  void stop() {
    discovery.close();
    bridge.close();
    database.close();
  }

  private Instance instance(List<String> clientKeys) {
    return instances.insert(new Instance(0, "gpu", "local", "127.0.0.1", bridge.getPort(), "http://127.0.0.1:11434", "auto", 1,
        "primary", 2, 30, false, null, false, null, clientKeys, 0, true, true, false, List.of(), List.of(), List.of(),
        0, 0, 30_000, 0, Instant.now(), Instant.now()));
  }

  private void answer(String tags) {
    bridge.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body(tags).build());
  }

  @Test
  void aListIsStoredWithTheTimeSeenAndAChangeIsAnEventToldOnce() throws Exception {
    Instance gpu = instance(List.of());
    answer("{\"models\":[{\"name\":\"llama3:latest\"},{\"name\":\"qwen 2\"},{\"model\":\"deepseek-r1:14b\"}]}");
    answer("{\"models\":[{\"name\":\"llama3:latest\"},{\"model\":\"deepseek-r1:14b\"}]}");
    answer("{\"models\":[{\"name\":\"llama3:latest\"}]}");

    discovery.discoverSoon(gpu.id());
    await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 1);
    assertThat(models.all().get(gpu.id())).extracting(ModelRepository.Seen::name)
        .as("a name nginx cannot route by is left out").containsExactly("deepseek-r1:14b", "llama3:latest");
    Instant firstSeen = models.all().get(gpu.id()).get(0).seenAt();

    discovery.discoverSoon(gpu.id());
    await().atMost(Duration.ofSeconds(10)).until(() -> models.all().get(gpu.id()).get(0).seenAt().isAfter(firstSeen));
    assertThat(changes.get()).as("the same list again changes nothing").isEqualTo(1);

    discovery.discoverSoon(gpu.id());
    await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 2);
    assertThat(models.all().get(gpu.id())).extracting(ModelRepository.Seen::name).containsExactly("llama3:latest");
    assertThat(events.latest(10, "gpu")).extracting(EventLog.Event::detail)
        .containsExactly("-deepseek-r1:14b", "+deepseek-r1:14b +llama3:latest");
  }

  @Test
  void aBridgeThatDemandsClientKeysIsAskedWithOne() throws Exception {
    Instance guarded = instance(List.of("client-key-0123456789", "other-key-0123456789"));
    answer("{\"models\":[{\"name\":\"mistral\"}]}");

    discovery.discoverSoon(guarded.id());

    RecordedRequest asked = bridge.takeRequest();
    assertThat(asked.getUrl().encodedPath()).isEqualTo("/api/tags");
    assertThat(asked.getHeaders().get("Authorization")).isEqualTo("Bearer client-key-0123456789");
    await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 1);
  }

  @Test
  void aBridgeThatFailsLeavesWhatWasLearntBefore() throws Exception {
    Instance gpu = instance(List.of());
    answer("{\"models\":[{\"name\":\"llama3\"}]}");
    discovery.discoverSoon(gpu.id());
    await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 1);

    bridge.enqueue(new MockResponse.Builder().code(503).body("{\"error\":\"upstream down\"}").build());
    discovery.discoverSoon(gpu.id());
    bridge.takeRequest();
    bridge.takeRequest();

    // the failed answer is being handled or has been: the list stays as it was all along
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() ->
        models.all().get(gpu.id()).stream().map(ModelRepository.Seen::name).toList().equals(List.of("llama3"))
            && changes.get() == 1);
  }

  @Test
  void aHundredThousandNamesKeepTheFirstThousandAndSaySoInOneEvent() throws Exception {
    Instance gpu = instance(List.of());
    StringBuilder tags = new StringBuilder("{\"models\":[");
    for (int i = 99_999; i >= 0; i--) {
      tags.append(String.format("{\"name\":\"m-%06d\",\"details\":{\"family\":\"llama\"}}", i)).append(i > 0 ? "," : "");
    }
    tags.append("],\"padding\":[1,2,3]}");
    answer(tags.toString());
    answer(tags.toString());

    discovery.discoverSoon(gpu.id());
    await().atMost(Duration.ofSeconds(30)).until(() -> changes.get() == 1);
    List<String> kept = models.all().get(gpu.id()).stream().map(ModelRepository.Seen::name).toList();
    assertThat(kept).hasSize(ModelDiscovery.MAX_MODELS).startsWith("m-000000").endsWith("m-000999");
    Instant firstSeen = models.all().get(gpu.id()).get(0).seenAt();

    discovery.discoverSoon(gpu.id());
    await().atMost(Duration.ofSeconds(30)).until(() -> models.all().get(gpu.id()).get(0).seenAt().isAfter(firstSeen));

    List<EventLog.Event> told = events.latest(10, "gpu");
    assertThat(told).extracting(EventLog.Event::action).as("the cap is told once, not at every refresh")
        .containsExactly("models.changed", "models.capped");
    assertThat(told.get(1).detail()).contains("lists 100000 models", "1000 are kept", "99000 left out");
    assertThat(told.get(0).detail()).as("a change is counted, with a bounded list of names")
        .startsWith("+m-000000 +m-000001").endsWith("… (1000 added, 0 gone, 1000 now)").hasSizeLessThan(400);
  }

  @Test
  void namesNginxCannotRouteByAreLeftOutWhateverTheyHold() throws Exception {
    Instance gpu = instance(List.of());
    answer("{\"models\":[{\"name\":\"ok\"},{\"name\":\"forged\\n2026-12-07 ERROR x\"},{\"name\":\"<img src=x>\"},"
        + "{\"name\":\"" + "a".repeat(201) + "\"},{\"name\":42},{\"model\":[1]}]}");

    discovery.discoverSoon(gpu.id());

    await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 1);
    assertThat(models.names(gpu.id())).containsExactly("ok");
    assertThat(events.latest(10, "gpu")).extracting(EventLog.Event::detail).containsExactly("+ok");
  }
}
