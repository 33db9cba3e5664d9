package dev.ollamabridge.console;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.alerts.AlertFeeds;
import dev.ollamabridge.console.alerts.AlertService;
import dev.ollamabridge.console.alerts.DeliveryPolicy;
import dev.ollamabridge.console.alerts.KeyBudgets;
import dev.ollamabridge.console.auth.AdminAccount;
import dev.ollamabridge.console.auth.ApiTokens;
import dev.ollamabridge.console.auth.LoginThrottle;
import dev.ollamabridge.console.auth.Sessions;
import dev.ollamabridge.console.backup.BackupService;
import dev.ollamabridge.console.backup.BackupWriter;
import dev.ollamabridge.console.cache.ManagedRedis;
import dev.ollamabridge.console.cache.RedisProbe;
import dev.ollamabridge.console.cache.SharedCache;
import dev.ollamabridge.console.cache.SharedCacheFollower;
import dev.ollamabridge.console.edges.EdgeService;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.files.Snapshot;
import dev.ollamabridge.console.health.HealthChecker;
import dev.ollamabridge.console.hosts.AgentAccess;
import dev.ollamabridge.console.hosts.AgentListener;
import dev.ollamabridge.console.hosts.HostService;
import dev.ollamabridge.console.logs.RequestLogs;
import dev.ollamabridge.console.health.HealthPolicy;
import dev.ollamabridge.console.health.HealthRecords;
import dev.ollamabridge.console.instances.BridgeArchive;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.CacheRoots;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceChanges;
import dev.ollamabridge.console.instances.InstanceField;
import dev.ollamabridge.console.instances.InstanceRepository;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.RequestLogRetention;
import dev.ollamabridge.console.instances.LocalRuntime;
import dev.ollamabridge.console.instances.InstanceView;
import dev.ollamabridge.console.instances.HostRuntimes;
import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.jdk.BridgeJava;
import dev.ollamabridge.console.keys.ClientKey;
import dev.ollamabridge.console.keys.KeyService;
import dev.ollamabridge.console.keys.KeysFollowSettings;
import dev.ollamabridge.console.jdk.JdkSearch;
import dev.ollamabridge.console.metrics.BridgeScraper;
import dev.ollamabridge.console.metrics.ConsoleMetrics;
import dev.ollamabridge.console.metrics.NginxAnswers;
import dev.ollamabridge.console.models.ModelDiscovery;
import dev.ollamabridge.console.models.ModelRepository;
import dev.ollamabridge.console.models.ModelService;
import dev.ollamabridge.console.nginx.ConfigSource;
import dev.ollamabridge.console.nginx.ManagedNginx;
import dev.ollamabridge.console.nginx.NginxApplier;
import dev.ollamabridge.console.nginx.NginxBinary;
import dev.ollamabridge.console.nginx.NginxLogRotation;
import dev.ollamabridge.console.nginx.NginxSetup;
import dev.ollamabridge.console.nginx.NginxSync;
import dev.ollamabridge.console.nginx.RevisionRepository;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.console.settings.SettingsService;
import dev.ollamabridge.console.store.DataDirectory;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.Retention;
import dev.ollamabridge.console.supervise.ProcessState;
import dev.ollamabridge.console.supervise.SupervisePolicy;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.console.usage.UsageRepository;
import dev.ollamabridge.console.usage.UsageRollup;
import dev.ollamabridge.console.usage.UsageService;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.files.OwnerOnly;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running console: its database, supervisor, health checker and API, built from one config. */
public final class ConsoleApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsoleApp.class);
  static final HostPort DEMO_BACKEND = new HostPort("127.0.0.1", 11435);
  private static final String LOCAL_OLLAMA = "http://127.0.0.1:11434";
  private static final Duration SCRAPE_WINDOW = Duration.ofHours(1);
  private static final Duration SESSION_IDLE = Duration.ofMinutes(30);
  private static final Duration SESSION_LIFETIME = Duration.ofHours(12);
  /** How often the backup schedule is looked at: a change of backup.schedule takes effect within it. */
  private static final Duration BACKUP_CHECK = Duration.ofSeconds(5);

  private final DataDirectory directory;
  private final List<AutoCloseable> parts;
  private final Javalin api;
  private final InstanceService instances;
  private final String adminToken;

  private ConsoleApp(DataDirectory directory, List<AutoCloseable> parts, Javalin api, InstanceService instances,
      String adminToken) {
    this.directory = directory;
    this.parts = parts;
    this.api = api;
    this.instances = instances;
    this.adminToken = adminToken;
  }

  /**
   * Locks the data directory, migrates the database, adopts or starts the bridges and nginx, then
   * listens; a failure stops it all. {@link DataDirectory.InUse} when another console holds the directory.
   */
  public static ConsoleApp start(ConsoleConfig config) {
    DataDirectory directory = DataDirectory.lock(config.dataDir());
    List<AutoCloseable> parts = new ArrayList<>();
    try {
      Path data = directory.path();
      ObjectMapper json = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
      OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(2))
          .readTimeout(Duration.ofSeconds(10)).callTimeout(Duration.ofSeconds(15)).build();
      parts.add(() -> closeHttp(http));
      Database database = Database.open(data.resolve("console.db"));
      parts.add(0, database);
      Settings settings = new Settings(database, config.operator());
      if (settings.get(Setting.NGINX_TLS_DIR).equals(ConsoleConfig.defaultTlsDir(data))) {
        OwnerOnly.directory(data.resolve("tls")); // where the operator puts the certificates and keys
      }
      settings.dropValuesThatBreakTheirRules();
      storeFlags(config, settings);
      EventLog events = new EventLog(database, () -> retention(settings, Setting.EVENTS_KEEP, Setting.EVENTS_KEEP_DAYS));
      RevisionRepository revisions = new RevisionRepository(database,
          () -> retention(settings, Setting.NGINX_REVISIONS_KEEP, Setting.NGINX_REVISIONS_KEEP_DAYS));
      ApiTokens tokens = new ApiTokens(database);
      String adminToken = tokens.none() ? createAdminToken(tokens, data) : null;
      AdminAccount admin = new AdminAccount(database, data);
      admin.ensure(System.getenv(), System.out);

      Supervisor supervisor = new Supervisor(data.resolve("run"), data.resolve("logs"), supervisePolicy(settings), http);
      parts.add(0, supervisor);
      supervisor.addListener((from, to) -> events.record("supervisor", "process." + to.state().name().toLowerCase(),
          to.name(), to.message()));

      InstanceRepository repository = new InstanceRepository(database, json);
      HealthRecords healthRecords = new HealthRecords(database);
      HealthChecker health = new HealthChecker(
          () -> repository.all().stream().filter(Instance::enabled)
              .map(i -> new HealthChecker.Target(i.id(), i.name(), "http://" + i.reachableAddress())).toList(),
          () -> healthPolicy(settings), http, Clock.systemUTC());
      parts.add(0, health);
      healthRecords.all().forEach(health::seed);

      String mode = NginxSetup.mode(settings);
      BridgeScraper scraper = new BridgeScraper(() -> scrapeTargets(repository, supervisor), http,
          () -> Duration.ofMillis(Integer.parseInt(settings.get(Setting.METRICS_SCRAPE_INTERVAL_MS))), SCRAPE_WINDOW,
          Clock.systemUTC(), mode.equals("managed")
              ? Optional.of(new NginxAnswers(data.resolve("nginx").resolve(GeneratedFiles.ANSWERS_LOG), SCRAPE_WINDOW,
                  () -> ManagedNginx.reopenLogs(NginxBinary.find().orElseThrow(), data.resolve("nginx"))))
              : Optional.empty());
      parts.add(0, scraper);

      BridgeJava bridgeJava = JdkSearch.ofThisMachine().forBridges(settings.get(Setting.BRIDGE_JAVA));
      log.info("bridges run on {}", bridgeJava.describe());
      SelfCommand self = SelfCommand.current().onJava(bridgeJava.executable());
      AtomicInteger apiPort = new AtomicInteger(config.listen().port());
      Optional<BridgeArchive> archive = BridgeArchive.of(self, bridgeJava.jdk().version(), bridgeJava.jdk().feature(),
          data.resolve("run"), data.resolve("logs"));
      archive.ifPresent(a -> parts.add(0, a));
      SharedCache cache = new SharedCache(settings, ManagedRedis.find().map(redis -> new ManagedRedis(redis,
          data.resolve("redis"), supervisor)), new RedisProbe(Duration.ofSeconds(1)));
      parts.add(0, cache);
      followQuietly(cache); // the managed Redis first, so that the bridges find it
      BridgeLaunch launch = new BridgeLaunch(self, data, archive, cache::target, () -> RequestLogRetention.of(settings));
      Optional<AgentAccess> agents = AgentAccess.of(config.agentListen(), config.agentUrl(), data.resolve("pki"));
      HostService hosts = new HostService(database, json, events, new LocalRuntime(supervisor, launch), agents,
          Clock.systemUTC());
      parts.add(0, hosts);
      KeyService keys = new KeyService(database, settings, events, data, json, Clock.systemUTC());
      keys.addListener(hosts::publishKeys);
      keys.publish(); // before any bridge starts: a bridge without its keys file refuses every request
      InstanceService instances = new InstanceService(repository, settings, events, hosts,
          launch, health, new CacheRoots(data, settings.get(Setting.CACHE_ROOTS)),
          () -> ownAddresses(config.listen().host(), apiPort.get(), settings), scraper::latest);
      ModelRepository modelRepository = new ModelRepository(database);
      Optional<Snapshot.Njs> njs = NginxSetup.njs(mode, data.resolve("nginx"));
      ConfigSource configs = new ConfigSource(repository, settings, health::healthyIds, instances::draining,
          () -> downOnPurposeOrWithTheirHost(instances, hosts, repository),
          new GeneratedFiles(() -> new HostPort(config.listen().host(), apiPort.get()), cache::target, keys::required), data,
          self.command(BridgeLaunch.JVM_FLAGS, List.of()), !mode.equals("system"),
          modelRepository, njs);

      // the demo backend first, so that adopted bridges find their upstream at once
      String demoUpstream = config.demo() ? startDemoBackend(parts, http) : null;
      if (demoUpstream != null && settings.get(Setting.DEFAULT_UPSTREAM).equals(Setting.DEFAULT_UPSTREAM.defaultValue())) {
        settings.putAll(Map.of(Setting.DEFAULT_UPSTREAM, demoUpstream)); // so that Add instance works out of the box
      }
      EdgeService edges = new EdgeService(configs, hosts, revisions, settings, !mode.equals("off"), events,
          Duration.ofMillis(250));
      parts.add(0, edges);
      hosts.addEdgeListener(edges);
      instances.startAll();
      edges.publish(); // before the hosts are opened: no edge is ever sent a desired state without its nginx
      hosts.open(); // every host was told what it runs: from now on each gets its desired state
      if (demoUpstream != null && instances.list().isEmpty()) {
        instances.create(InstanceChanges.of(Map.of(InstanceField.NAME, "demo", InstanceField.UPSTREAM_URL, demoUpstream),
            null), "console");
      }
      Optional<NginxApplier> applier = NginxSetup.applier(mode, data, settings, supervisor, configs, revisions, events, http);
      applier.ifPresent(a -> parts.add(0, a));
      NginxSetup.logRotation(mode, data.resolve("nginx"),
          () -> Long.parseLong(settings.get(Setting.LOGS_REQUESTS_MAX_MB)) * 1024L * 1024L, NginxLogRotation.EVERY)
          .ifPresent(rotation -> parts.add(0, rotation));
      NginxSync nginx = new NginxSync(configs, applier);
      AtomicBoolean keysRequired = new AtomicBoolean(keys.published().required());
      keys.addListener(rules -> {
        if (keysRequired.getAndSet(rules.required()) != rules.required()) {
          nginx.changed("keys", "keys: " + (rules.required() ? "required" : "no longer required"));
        }
      });
      instances.addListener(nginx);
      nginx.addFollower(edges::changed);
      hosts.addListener((host, cause) -> nginx.changed("hosts", cause));
      ModelDiscovery discovery = new ModelDiscovery(repository, modelRepository, health::healthyIds,
          () -> Duration.ofSeconds(Integer.parseInt(settings.get(Setting.MODELS_REFRESH_S))), http, events,
          Clock.systemUTC(), change -> nginx.changed("models", "models: " + change), keys.consoleKey().secret());
      parts.add(0, discovery);
      health.addListener((target, state) -> {
        if (state.healthy()) {
          discovery.discoverSoon(target.id());
        }
        healthRecords.save(target.id(), state.healthy());
        events.record("health", state.healthy() ? "health.up" : "health.down", target.name(),
            state.healthy() ? null : state.lastError());
        nginx.changed("health", "health: " + target.name() + (state.healthy() ? " up" : " down"));
      });
      UsageRepository usageRepository = new UsageRepository(database);
      UsageService usageService = new UsageService(usageRepository, Clock.systemUTC());
      AlertService alerts = alerts(database, events, json, http, health, hosts, applier, repository, instances, scraper,
          keyBudgets(keys, usageService));
      parts.add(0, alerts);
      ConsoleMetrics metrics = new ConsoleMetrics(() -> countBy(instances.overview(), ConsoleApp::processWord),
          () -> countBy(instances.overview(), ConsoleApp::healthWord));
      applier.ifPresent(a -> a.addListener((revision, took) -> metrics.applied(revision.result(), took)));
      scraper.nginx().ifPresent(metrics::watch);
      UsageRollup usage = new UsageRollup(usageRepository,
          id -> repository.find(id).map(Instance::host).orElse(HostRuntimes.LOCAL),
          () -> Integer.parseInt(settings.get(Setting.USAGE_KEEP_DAYS)), Clock.systemUTC());
      parts.add(0, usage);
      scraper.addListener((target, at, samples) -> usage.scraped(target.id(), target.name(), at, samples));
      usage.start();
      health.start();
      discovery.start();
      scraper.start();
      applier.ifPresent(NginxSetup::applyAtStart);

      ModelService models = new ModelService(repository, modelRepository, settings, health::state, njs.isPresent());
      SharedCacheFollower cacheFollower = new SharedCacheFollower(nginx, cache, instances, data.resolve("redis/launched"));
      parts.add(0, cacheFollower);
      cacheFollower.relaunchIfChangedSinceLastRun("console");
      BackupService backups = new BackupService(data, settings, events, new BackupWriter(json, Clock.systemUTC()),
          Clock.systemUTC(), BACKUP_CHECK);
      parts.add(0, backups);
      backups.start();
      ConsoleServices services = new ConsoleServices(instances, hosts, models,
          new SettingsService(settings, events, new KeysFollowSettings(keys, cacheFollower)), events,
          configs, applier, revisions, edges, tokens, admin, new Sessions(SESSION_IDLE, SESSION_LIFETIME),
          LoginThrottle.standard(), scraper, metrics, bridgeJava, cache, data, json,
          usageService, alerts, backups, keys, RequestLogs.of(data, instances, hosts, json));
      Javalin api = ConsoleHttp.create(config.listen().host(), config.listen().port(), services);
      api.start();
      apiPort.set(api.port());
      parts.add(0, api::stop);
      if (agents.isPresent()) {
        parts.add(0, AgentListener.start(config.agentListen(), agents.get(), hosts, json));
        hosts.listening();
      }
      // only now: the training's processes bind ports the system picks, which must not be the one the console asked for
      archive.ifPresent(BridgeArchive::prepare);
      events.record("console", "console.start", null, "listening on " + new HostPort(config.listen().host(), api.port())
          + ", nginx " + mode);
      return new ConsoleApp(directory, parts, api, instances, adminToken);
    } catch (IOException e) {
      closeAll(parts);
      directory.close();
      throw new UncheckedIOException("cannot use the data directory " + config.dataDir() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeAll(parts);
      directory.close();
      throw e;
    }
  }

  /**
   * The alerts, fed by the health checks, the hosts, nginx's applies, the edges and the scraped
   * figures, and the keys' use of their budgets.
   */
  private static AlertService alerts(Database database, EventLog events, ObjectMapper json, OkHttpClient http,
      HealthChecker health, HostService hosts, Optional<NginxApplier> applier, InstanceRepository repository,
      InstanceService instances, BridgeScraper scraper, KeyBudgets budgets) {
    AlertService alerts = new AlertService(database, events, json, http, machineName(), DeliveryPolicy.standard(),
        Clock.systemUTC());
    health.addListener(AlertFeeds.health(alerts));
    hosts.addListener(AlertFeeds.hosts(alerts, hosts));
    hosts.addEdgeListener(AlertFeeds.edges(alerts));
    applier.ifPresent(a -> a.addListener(AlertFeeds.nginx(alerts)));
    alerts.watch(() -> {
      Set<Long> stopped = instances.stopped();
      return repository.all().stream().filter(i -> i.enabled() && !stopped.contains(i.id()))
          .collect(java.util.stream.Collectors.toMap(Instance::id, Instance::name));
    },
        scraper::latest, budgets, scraper.interval());
    return alerts;
  }

  /** Every unrevoked key with a daily token budget, and what the usage rolled up says it used today. */
  private static KeyBudgets keyBudgets(KeyService keys, UsageService usage) {
    return () -> {
      List<ClientKey> budgeted = keys.list(false).stream().filter(k -> k.tokensPerDay() > 0).toList();
      if (budgeted.isEmpty()) {
        return List.of();
      }
      Map<String, Long> used = usage.tokensToday();
      return budgeted.stream().map(k -> new KeyBudgets.KeyBudget(Long.toString(k.id()), k.name(),
          used.getOrDefault(Long.toString(k.id()), 0L), k.tokensPerDay())).toList();
    };
  }

  /** How alerts name this console: its machine's name. */
  private static String machineName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "console";
    }
  }

  /** The managed Redis as the settings say; one that cannot run is a warning, not a console that does not start. */
  private static void followQuietly(SharedCache cache) {
    try {
      cache.follow();
    } catch (RuntimeException e) {
      log.warn("the managed Redis did not start: {}", e.getMessage());
    }
  }

  /** Instances nginx keeps down: stopped on purpose, or on a host that is not ready (silent, or revoked). */
  private static Set<Long> downOnPurposeOrWithTheirHost(InstanceService instances, HostService hosts,
      InstanceRepository repository) {
    Set<String> away = hosts.unavailable();
    Set<Long> down = new HashSet<>(instances.stopped());
    if (!away.isEmpty()) {
      repository.all().stream().filter(i -> away.contains(i.host())).forEach(i -> down.add(i.id()));
    }
    return down;
  }

  /**
   * The bridges whose metrics the charts show: enabled ones that run (or, external, are not ours to
   * run); a stopped bridge would only add failed scrapes.
   */
  private static List<BridgeScraper.Target> scrapeTargets(InstanceRepository repository, Supervisor supervisor) {
    return repository.all().stream()
        .filter(i -> i.enabled() && (!i.managed() || supervisor.status(i.name())
            .map(status -> status.state() == ProcessState.RUNNING).orElse(false)))
        .map(i -> new BridgeScraper.Target(i.id(), i.name(), "http://" + i.reachableAddress()))
        .toList();
  }

  private static String processWord(InstanceView view) {
    return view.process() == null ? (view.instance().managed() ? "NOT_STARTED" : "EXTERNAL") : view.process().state().name();
  }

  private static String healthWord(InstanceView view) {
    return view.health() == null ? "unchecked" : view.health().healthy() ? "healthy" : "unhealthy";
  }

  private static Map<String, Long> countBy(List<InstanceView> views, java.util.function.Function<InstanceView, String> word) {
    return views.stream().collect(java.util.stream.Collectors.groupingBy(word, java.util.TreeMap::new,
        java.util.stream.Collectors.counting()));
  }

  /** supervisord's knobs from the settings, and the backoff's first wait; the backoff's cap keeps its default. */
  private static SupervisePolicy supervisePolicy(Settings settings) {
    var all = settings.all();
    SupervisePolicy defaults = SupervisePolicy.defaults();
    return new SupervisePolicy(
        Duration.ofSeconds(Integer.parseInt(all.get(Setting.SUPERVISE_STARTSECS))),
        Integer.parseInt(all.get(Setting.SUPERVISE_STARTRETRIES)),
        Duration.ofMillis(Integer.parseInt(all.get(Setting.SUPERVISE_BACKOFF_MS))), defaults.backoffCap(), true,
        Duration.ofSeconds(Integer.parseInt(all.get(Setting.SUPERVISE_STOPWAITSECS))),
        Integer.parseInt(all.get(Setting.SUPERVISE_LOG_MAX_MB)) * 1024L * 1024L,
        Integer.parseInt(all.get(Setting.SUPERVISE_LOG_BACKUPS)));
  }

  /** {@code --nginx-listen} wins over the stored setting, and is stored, so the API shows what runs. */
  private static void storeFlags(ConsoleConfig config, Settings settings) {
    if (config.nginxListen() != null) {
      settings.putAll(Map.of(Setting.NGINX_LISTEN, Setting.NGINX_LISTEN.check(config.nginxListen())));
    }
  }

  private static Retention retention(Settings settings, Setting rows, Setting days) {
    var all = settings.all();
    return new Retention(Integer.parseInt(all.get(rows)), Duration.ofDays(Integer.parseInt(all.get(days))));
  }

  /** Where the console and its nginx listen: no instance may take these. */
  private static List<InstanceService.Reserved> ownAddresses(String apiHost, int apiPort, Settings settings) {
    var all = settings.all();
    List<InstanceService.Reserved> own = new ArrayList<>();
    own.add(new InstanceService.Reserved(new HostPort(apiHost, apiPort), "console"));
    own.add(new InstanceService.Reserved(HostPort.parse(all.get(Setting.NGINX_LISTEN)), "nginx"));
    if (!all.get(Setting.CACHE_REDIS_MANAGED).equals(Setting.OFF)) {
      own.add(new InstanceService.Reserved(HostPort.parse(all.get(Setting.CACHE_REDIS_MANAGED)), "the managed Redis"));
    }
    if (!all.get(Setting.NGINX_TLS_CERT).isEmpty()) {
      own.add(new InstanceService.Reserved(HostPort.parse(all.get(Setting.NGINX_TLS_LISTEN)), "nginx TLS listener"));
    }
    return own;
  }

  public int port() {
    return api.port();
  }

  /** The admin token made at this start (a fresh database), or null: it is only ever shown once. */
  public String adminToken() {
    return adminToken;
  }

  public InstanceService instances() {
    return instances;
  }

  /** Stops the console; bridges keep running, to be adopted by the next console. */
  @Override
  public void close() {
    closeAll(parts);
    directory.close();
  }

  private static HealthPolicy healthPolicy(Settings settings) {
    var all = settings.all();
    return new HealthPolicy(
        Duration.ofMillis(Integer.parseInt(all.get(Setting.HEALTH_INTERVAL_MS))),
        Duration.ofMillis(Integer.parseInt(all.get(Setting.HEALTH_TIMEOUT_MS))),
        Integer.parseInt(all.get(Setting.HEALTH_RISE)),
        Integer.parseInt(all.get(Setting.HEALTH_FALL)));
  }

  /** Writes the token to {@code <data>/admin-token}, readable by its owner only, and shows it once. */
  private static String createAdminToken(ApiTokens tokens, Path data) throws IOException {
    String token = tokens.create("admin");
    Path file = data.resolve("admin-token");
    Path temp = Files.createTempFile(data, ".admin-token", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(temp, token + "\n");
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    System.out.println("Admin API token (shown once; also in " + file + "): " + token);
    System.out.flush();
    return token;
  }

  /**
   * The demo's backend: a local Ollama if one answers, else the built-in fake (which then lives as
   * long as the console). Answers its URL, for the demo instance of an empty database.
   */
  private static String startDemoBackend(List<AutoCloseable> parts, OkHttpClient http) {
    if (answers(http, LOCAL_OLLAMA + "/api/version")) {
      log.info("demo: using the Ollama that answers on {}", LOCAL_OLLAMA);
      return LOCAL_OLLAMA;
    }
    try {
      FakeOllama fake = FakeOllama.start(FakeOllama.Options.defaults().withListen(DEMO_BACKEND).withTokenRate(20));
      parts.add(0, fake);
      log.info("demo: fake backend on {}", fake.baseUrl());
      return fake.baseUrl();
    } catch (RuntimeException e) {
      log.warn("demo: the fake backend could not listen on {}: {}", DEMO_BACKEND, e.getMessage());
      return "http://" + DEMO_BACKEND;
    }
  }

  private static boolean answers(OkHttpClient http, String url) {
    OkHttpClient quick = http.newBuilder().callTimeout(Duration.ofMillis(500)).build();
    try (Response response = quick.newCall(new Request.Builder().url(url).build()).execute()) {
      return response.isSuccessful();
    } catch (IOException e) {
      return false;
    }
  }

  /** The client's threads and idle connections; it is the last part closed. */
  private static void closeHttp(OkHttpClient http) {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private static void closeAll(List<AutoCloseable> parts) {
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("while stopping: {}", e.toString());
      }
    }
    parts.clear();
  }
}
