package dev.ollamabridge.console.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceRepository;
import dev.ollamabridge.console.models.ModelRepository;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.console.settings.SettingsListener;
import dev.ollamabridge.console.settings.SettingsNotKept;
import dev.ollamabridge.console.settings.SettingsService;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.Retention;
import dev.ollamabridge.console.supervise.SupervisePolicy;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes that share one debounced apply with settings nginx refuses: the settings are put back, and
 * the others still reach the nginx that serves. The console's own parts on a real nginx; the apply
 * thread is held (by a listener of the applier) while the changes come in, so that they share one apply
 * on any machine, however busy.
 */
@Timeout(120)
class SharedApplyTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir Path data;
  private final OkHttpClient http = new OkHttpClient();
  private final Set<Long> healthy = ConcurrentHashMap.newKeySet();
  private final CountDownLatch settingsAskedToApply = new CountDownLatch(1);
  private volatile CountDownLatch holding = new CountDownLatch(0);
  private volatile CountDownLatch held = new CountDownLatch(0);
  private Database database;
  private Supervisor supervisor;
  private NginxApplier applier;
  private Settings settings;
  private HostPort listen;
  private RevisionRepository revisions;
  private NginxSync sync;
  private SettingsService service;
  private Instance gpu;

  @BeforeEach
  void start() throws IOException {
    database = Database.open(data.resolve("console.db"));
    Retention keep = new Retention(1000, Duration.ofDays(30));
    settings = new Settings(database, Map.of(Setting.NGINX_TLS_DIR, data.resolve("tls").toString()));
    listen = new HostPort("127.0.0.1", TestPorts.listenPort());
    settings.putAll(Map.of(Setting.NGINX_LISTEN, listen.toString()));
    EventLog events = new EventLog(database, () -> keep);
    supervisor = new Supervisor(data.resolve("run"), data.resolve("logs"), SupervisePolicy.defaults(), http);
    ManagedNginx nginx = new ManagedNginx(NginxBinary.find().orElseThrow(), data.resolve("nginx"), supervisor, () -> listen);
    InstanceRepository instances = new InstanceRepository(database, new ObjectMapper());
    ConfigSource configs = new ConfigSource(instances, settings, () -> healthy, Set::of, Set::of, new GeneratedFiles(), data,
        List.of("java"), true, new ModelRepository(database), Optional.empty());
    revisions = new RevisionRepository(database, () -> keep);
    applier = new NginxApplier(configs::nginx, nginx, revisions, events, () -> listen,
        Duration.ofMillis(250), http);
    applier.addListener((revision, took) -> {
      held.countDown();
      try {
        holding.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
        sync = new NginxSync(configs, Optional.of(applier));
    service = new SettingsService(settings, events, new SettingsListener() {
      @Override
      public void check(Map<Setting, String> wouldBe) {
        sync.check(wouldBe);
      }

      @Override
      public CompletableFuture<?> changed(String actor, String cause) {
        CompletableFuture<?> applied = sync.changed(actor, cause);
        settingsAskedToApply.countDown();
        return applied;
      }
    });
    gpu = instances.insert(new Instance(0, "gpu", "local", "127.0.0.1", 9, "http://127.0.0.1:11434", "auto", 1, "primary", 2, 30,
        false, null, false, null, List.of(), 0, true, true, false, List.of(), List.of(), List.of(), 0, 0, 30_000, 0,
        Instant.now(), Instant.now()));
  }

  @AfterEach
  void stop() {
    holding.countDown();
    try {
      applier.close();
    } finally {
      try {
        supervisor.remove("nginx").orTimeout(30, TimeUnit.SECONDS).join();
      } finally {
        supervisor.close();
        database.close();
      }
    }
  }

  @Test
  void aHealthChangeThatSharesAnApplyWithSettingsNginxRefusesIsServedAfterTheSettingsArePutBack() throws Exception {
    applier.request("console").join();
    assertThat(servedConfig()).as("nginx serves the first configuration").contains("# gpu: down, failing its health checks");
    Path notACert = Files.writeString(Files.createDirectories(data.resolve("tls")).resolve("cert.pem"), "not a certificate\n");

    // given: the apply thread held, so that what follows shares the next apply
    hold();
    applier.request("console");
    held.await();
    // when: the instance turns healthy, and settings nginx refuses come in before the apply runs
    healthy.add(gpu.id());
    sync.changed("health", "health: gpu down");
    CompletableFuture<Map<Setting, String>> update = CompletableFuture.supplyAsync(() -> service.update(
        Map.of("nginx.tls_cert", notACert.toString(), "nginx.tls_key", notACert.toString()), "api:admin"));
    settingsAskedToApply.await();
    holding.countDown();

    // then: the settings are refused and put back, and the health change is served all the same
    assertThatThrownBy(update::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(SettingsNotKept.class);
    assertThat(configs("rejected")).as("the shared apply, refused").anyMatch(config ->
        config.contains("ssl_certificate " + notACert) && config.contains("; # gpu\n"));
    assertThat(settings.get(Setting.NGINX_TLS_CERT)).as("the settings were put back").isEmpty();
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(servedConfig())
        .as("the configuration nginx serves").contains("; # gpu\n").doesNotContain("ssl_certificate"));
  }

  private void hold() {
    holding = new CountDownLatch(1);
    held = new CountDownLatch(1);
  }

  /** The text of the applied revision that nginx serves now, by the hash its {@code /nginx-health} answers. */
  private String servedConfig() throws IOException {
    String served;
    try (Response response = http.newCall(new Request.Builder().url("http://" + listen + "/nginx-health").build()).execute()) {
      served = response.header("X-Config-Revision");
    }
    return revisions.latest(1000).stream()
        .filter(revision -> revision.applied() && revision.hash().equals(served))
        .map(revision -> revisions.find(revision.id()).orElseThrow().config())
        .findFirst().orElse("(no applied revision " + served + ")");
  }

  /** The texts of the revisions with this result, the newest first. */
  private List<String> configs(String result) {
    return revisions.latest(1000).stream().filter(revision -> revision.result().equals(result))
        .map(revision -> revisions.find(revision.id()).orElseThrow().config()).toList();
  }

}
