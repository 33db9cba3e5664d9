package dev.ollamabridge.console.files;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.cache.RedisTarget;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.HostRuntimes;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.models.ClusterModels;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.digest.Sha256;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders nginx.conf, supervisor.conf and prometheus.yml from the templates in
 * {@code nginx-templates/}. Every value is checked against a strict pattern while the model is
 * built, so nothing unchecked reaches a file; combinations nginx would refuse are refused here
 * first, with a message that says what to change.
 */
public final class GeneratedFiles {

  /** The kinds of file, by the name they are exported under. */
  public enum Kind {
    NGINX("nginx.conf"), SUPERVISOR("supervisor.conf"), PROMETHEUS("prometheus.yml");

    private final String fileName;

    Kind(String fileName) {
      this.fileName = fileName;
    }

    public String fileName() {
      return fileName;
    }

    public static Kind byFileName(String name) {
      for (Kind kind : values()) {
        if (kind.fileName.equals(name) || kind.name().equalsIgnoreCase(name)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("no generated file is called '" + name + "': nginx.conf, supervisor.conf or prometheus.yml");
    }
  }

  /**
   * How supervisor.conf carries the bridges' secrets: as references to supervisord's own
   * environment ({@code %(ENV_…)s}, the default, so the file can be shared), or in clear.
   */
  public enum Secrets { REFERENCED, CLEAR }

  private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/+-]{0,1023}");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45}");
  private static final Pattern HASH_KEY = Pattern.compile("(\\$[a-z_][a-z0-9_]*)+");
  private static final String NO_SERVERS = "127.0.0.1:9";
  private static final String ROOT = "root";
  /** Where, under its prefix, the managed nginx logs the requests it answered itself. */
  public static final String ANSWERS_LOG = "logs/answers.jsonl";
  /** Where, under its prefix, nginx (the console's and every edge's) logs each request as a JSON line. */
  public static final String REQUESTS_LOG = "logs/requests.jsonl";
  /** The same for a system nginx, which has its own prefix and logs. */
  public static final String SYSTEM_REQUESTS_LOG = "/var/log/nginx/ollama-bridge.requests.jsonl";
  /** nginx reads a configuration in 4 KiB buffers: one token (a quoted string) must fit in one. */
  private static final int PAGE_CHARS = 3000;

  /** supervisord's variable for the shared Redis's password: the one the console reads it from. */
  public static final String REDIS_PASSWORD = "OLLAMA_BRIDGE_CACHE_REDIS_PASSWORD";

  /** Where Prometheus' HTTP service discovery asks the console's API for the bridges to scrape. */
  public static final String BRIDGES_DISCOVERY_PATH = "/api/v1/sd/bridges";
  /** The file, in prometheus.yml's directory, that holds the API token Prometheus asks with. */
  public static final String PROMETHEUS_TOKEN_FILE = "ollama-bridge-api-token";

  private final TemplateEngine templates =
      TemplateEngine.createPrecompiled(null, ContentType.Plain, null, "dev.ollamabridge.generated.files");
  private final Supplier<HostPort> console;
  private final Supplier<RedisTarget> redis;

  /** Files for a console at its default address, 127.0.0.1:8800. */
  public GeneratedFiles() {
    this(() -> new HostPort("127.0.0.1", 8800));
  }

  /** @param console where the console's API listens (known once it does, when it was asked for port 0) */
  public GeneratedFiles(Supplier<HostPort> console) {
    this(console, () -> RedisTarget.OFF);
  }

  /** @param redis the Redis the bridges with the cache on share, which supervisor.conf gives them */
  public GeneratedFiles(Supplier<HostPort> console, Supplier<RedisTarget> redis) {
    this.console = console;
    this.redis = redis;
  }

  public String render(Kind kind, Snapshot snapshot) {
    return switch (kind) {
      case NGINX -> nginx(snapshot, true);
      case SUPERVISOR -> supervisor(snapshot, Secrets.REFERENCED);
      case PROMETHEUS -> prometheus();
    };
  }

  /**
   * nginx's configuration: a whole nginx.conf with its prefix under the data directory, or (for
   * a system nginx) the part that goes inside its {@code http {}}.
   */
  public String nginx(Snapshot snapshot, boolean fullConfig) {
    NginxModel model = nginxModel(snapshot, fullConfig, null);
    String draft = render("nginx.conf.jte", model.withRevision("pending"));
    return render("nginx.conf.jte", model.withRevision(Sha256.hex(draft).substring(0, 16)));
  }

  /**
   * An edge host: its name (bridges on it are reached on its own loopback) and the address its nginx
   * listens on, or null for every address of the host.
   */
  public record Edge(String host, String listen) {}

  /**
   * The whole nginx.conf an edge host's agent runs: the upstreams, routing and settings of the
   * console's own, listening on the edge's address at nginx.listen's port, every file relative to the
   * agent's nginx prefix ({@code router.js} beside the config), no {@code user} line (the agent adds
   * its own), no TLS (the certificates are on the console's machine), no log of nginx's own answers
   * (only the console's nginx is counted). A bridge that only another machine's loopback reaches is
   * down here.
   *
   * @param revision the revision of the console's own config of the same state, which this one carries
   *     too: one revision is one state of the cluster on every edge
   */
  public String edgeNginx(Snapshot snapshot, Edge edge, String revision) {
    return render("nginx.conf.jte", nginxModel(snapshot, true, edge).withRevision(revision));
  }

  /** The {@code listen} an edge's nginx.conf writes: {@code PORT} for every address, else {@code ADDRESS:PORT}. */
  private static String edgeListen(Snapshot snapshot, Edge edge) {
    int port = HostPort.parse(listen(snapshot, Setting.NGINX_LISTEN)).port();
    if (edge.listen() == null) {
      return String.valueOf(port);
    }
    String host = edge.listen().replace("[", "").replace("]", "");
    if (!HostPort.isHost(host)) {
      throw new RenderException("edge_listen", "host " + edge.host() + " has an edge address unfit for nginx.conf");
    }
    return new HostPort(host, port).toString();
  }

  public String supervisor(Snapshot snapshot, Secrets secrets) {
    List<SupervisedBridge> bridges = new ArrayList<>();
    RedisTarget shared = redis.get();
    for (Instance instance : snapshot.instances()) {
      // another host's bridges are in that host's own supervisor.conf (GET /api/v1/hosts/{name}/supervisor.conf)
      if (instance.managed() && instance.host().equals(HostRuntimes.LOCAL)) {
        List<String> argv = new ArrayList<>(snapshot.bridgeCommand());
        argv.addAll(BridgeLaunch.arguments(instance, shared));
        bridges.add(new SupervisedBridge(instance.name(), argv, BridgeLaunch.environment(instance, shared),
            instance.enabled()));
      }
    }
    return supervisor(bridges, snapshot.dataDir(), new SupervisorKnobs(snapshot.integer(Setting.SUPERVISE_STARTSECS),
        snapshot.integer(Setting.SUPERVISE_STARTRETRIES), snapshot.integer(Setting.SUPERVISE_STOPWAITSECS),
        snapshot.integer(Setting.SUPERVISE_LOG_MAX_MB), snapshot.integer(Setting.SUPERVISE_LOG_BACKUPS)), secrets);
  }

  /**
   * One bridge as supervisord runs it.
   *
   * @param argv the whole command: java, its flags, the jar, {@code bridge} and the bridge's flags
   * @param autostart false for a bridge that is not to run (a disabled instance, one stopped on purpose)
   */
  public record SupervisedBridge(String instance, List<String> argv, Map<String, String> environment,
      boolean autostart) {}

  /** supervisord's knobs, in the units supervisor.conf writes them. */
  public record SupervisorKnobs(int startSecs, int startRetries, int stopWaitSecs, int logMaxMb, int logBackups) {}

  /**
   * supervisor.conf for any set of bridges whose data (work directory, {@code logs/}) is {@code dataDir}:
   * the console's own host, or an agent's, which renders its bridges with its own paths.
   */
  public String supervisor(List<SupervisedBridge> bridges, Path dataDir, SupervisorKnobs knobs, Secrets secrets) {
    List<SupervisorModel.Program> programs = new ArrayList<>();
    List<SupervisorModel.Variable> variables = new ArrayList<>();
    for (SupervisedBridge bridge : bridges) {
      String name = "ollama-bridge-" + checkName(bridge.instance());
      String command = bridge.argv().stream().map(SupervisorQuoting::argument).collect(Collectors.joining(" "));
      List<String> environment = new ArrayList<>();
      for (Map.Entry<String, String> variable : new TreeMap<>(bridge.environment()).entrySet()) {
        String source = secretVariable(bridge.instance(), variable.getKey());
        if (variables.stream().noneMatch(known -> known.name().equals(source))) {
          variables.add(new SupervisorModel.Variable(source, bridge.instance(), variable.getKey()));
        }
        environment.add(variable.getKey() + "=" + (secrets == Secrets.CLEAR
            ? SupervisorQuoting.environmentValue(variable.getValue()) : SupervisorQuoting.environmentReference(source)));
      }
      programs.add(new SupervisorModel.Program(name, command, SupervisorQuoting.plain(dataDir.toString()),
          SupervisorQuoting.plain(dataDir.resolve("logs").resolve(name + ".log").toString()),
          String.join(",", environment), bridge.autostart()));
    }
    return render("supervisor.conf.jte", new SupervisorModel("ollama-bridges", knobs.startSecs(), knobs.startRetries(),
        knobs.stopWaitSecs(), knobs.logMaxMb() + "MB", knobs.logBackups(), programs,
        secrets == Secrets.CLEAR ? List.of() : variables));
  }

  /**
   * The variable of supervisord's environment that holds one secret of an instance:
   * {@code BRIDGE_API_KEY} of instance {@code cloud-1} is {@code OLLAMA_BRIDGE_CLOUD_1_API_KEY}; the
   * shared Redis's password is the console's own {@value #REDIS_PASSWORD} for every bridge.
   */
  private static String secretVariable(String instance, String bridgeVariable) {
    if (bridgeVariable.equals(BridgeLaunch.REDIS_PASSWORD)) {
      return REDIS_PASSWORD; // one Redis for the whole cluster, one password
    }
    return "OLLAMA_BRIDGE_" + checkName(instance).toUpperCase(Locale.ROOT).replace('-', '_') + "_"
        + bridgeVariable.replaceFirst("^BRIDGE_", "");
  }

  /**
   * prometheus.yml, the same whatever the instances: Prometheus asks the console's
   * {@value #BRIDGES_DISCOVERY_PATH} for them.
   */
  public String prometheus() {
    HostPort console = this.console.get();
    String host = console.host().replace("[", "").replace("]", "");
    if (!HOST.matcher(host).matches() || console.port() < 1 || console.port() > 65535) {
      throw new RenderException("listen", "the console's address is unfit for prometheus.yml: " + console);
    }
    return render("prometheus.yml.jte", new PrometheusModel("http://" + console.dialAddress() + BRIDGES_DISCOVERY_PATH,
        PROMETHEUS_TOKEN_FILE));
  }

  /** @param edge the edge host it is rendered for, or null for the console's own nginx */
  private NginxModel nginxModel(Snapshot snapshot, boolean fullConfig, Edge edge) {
    String prefix = snapshot.dataDir().resolve("nginx").toString();
    if (fullConfig && !SAFE_PATH.matcher(prefix).matches()) {
      throw new RenderException("data", "nginx cannot use the data directory " + snapshot.dataDir()
          + ": choose one whose path has only letters, digits, '.', '_', '+', '-' and '/'");
    }
    String balanceSetting = snapshot.setting(Setting.NGINX_BALANCE);
    String balance = switch (balanceSetting) {
      case "least_conn" -> "least_conn";
      case "ip_hash" -> "ip_hash";
      case "hash" -> "hash " + check(Setting.NGINX_HASH_KEY, snapshot.setting(Setting.NGINX_HASH_KEY), HASH_KEY) + " consistent";
      case "round_robin" -> null;
      default -> throw new RenderException(Setting.NGINX_BALANCE.key(), "unknown balancing method " + balanceSetting);
    };
    boolean hashing = balanceSetting.equals("ip_hash") || balanceSetting.equals("hash");
    List<NginxModel.Server> servers = new ArrayList<>();
    Map<Long, NginxModel.Server> serverOf = new HashMap<>();
    for (Instance instance : snapshot.instances()) {
      boolean backup = instance.role().equals("backup");
      if (backup && hashing && instance.enabled()) {
        throw new RenderException(Setting.NGINX_BALANCE.key(), "nginx refuses backup servers with " + balanceSetting
            + " balancing: make instance '" + instance.name() + "' primary, or balance with least_conn or round_robin");
      }
      String why = !instance.enabled() ? "disabled"
          : edge != null && unreachableFrom(edge, instance) ? "on host " + checkName(instance.host())
              + "'s loopback, which this edge cannot reach"
          : snapshot.draining().contains(instance.id()) ? "draining"
          : snapshot.stopped().contains(instance.id()) ? "stopped"
          : !snapshot.healthy().contains(instance.id()) ? "failing its health checks" : null;
      String options = " weight=" + instance.weight() + " max_fails=" + instance.maxFails()
          + " fail_timeout=" + instance.failTimeoutSeconds() + "s" + (backup && !hashing ? " backup" : "")
          + (instance.maxConcurrent() > 0 ? " max_conns=" + (instance.maxConcurrent() + instance.queueSize()) : "")
          + (why != null ? " down" : "");
      NginxModel.Server server = new NginxModel.Server(address(instance), options,
          checkName(instance.name()) + (why != null ? ": down, " + why : ""));
      servers.add(server);
      serverOf.put(instance.id(), server);
    }
    if (servers.isEmpty()) {
      servers.add(new NginxModel.Server(NO_SERVERS, " down", "no instances yet: nginx needs one server line"));
    }
    NginxModel.Tls tls = null;
    String cert = snapshot.setting(Setting.NGINX_TLS_CERT);
    String key = snapshot.setting(Setting.NGINX_TLS_KEY);
    if (!cert.isEmpty() || !key.isEmpty()) {
      if (cert.isEmpty() || key.isEmpty()) {
        throw new RenderException(cert.isEmpty() ? Setting.NGINX_TLS_CERT.key() : Setting.NGINX_TLS_KEY.key(),
            "TLS needs both nginx.tls_cert and nginx.tls_key");
      }
      tls = new NginxModel.Tls(listen(snapshot, Setting.NGINX_TLS_LISTEN), check(Setting.NGINX_TLS_CERT, cert, SAFE_PATH),
          check(Setting.NGINX_TLS_KEY, key, SAFE_PATH));
    }
    if (edge != null) {
      tls = null;
    }
    return new NginxModel(
        fullConfig,
        edge == null && fullConfig && ROOT.equals(System.getProperty("user.name")) ? ROOT : null,
        edge == null ? prefix : null,
        edge != null ? "logs/access.log" : fullConfig ? prefix + "/logs/access.log" : "/var/log/nginx/ollama-bridge.access.log",
        "pending",
        edge == null ? listen(snapshot, Setting.NGINX_LISTEN) : edgeListen(snapshot, edge),
        check(Setting.NGINX_SERVER_NAME, snapshot.setting(Setting.NGINX_SERVER_NAME), Pattern.compile("_|[A-Za-z0-9*][A-Za-z0-9.*-]{0,252}")),
        balance,
        snapshot.integer(Setting.NGINX_KEEPALIVE),
        snapshot.integer(Setting.NGINX_READ_TIMEOUT_S),
        snapshot.integer(Setting.NGINX_NEXT_UPSTREAM_TRIES),
        snapshot.integer(Setting.NGINX_RATE),
        snapshot.integer(Setting.NGINX_BURST),
        snapshot.integer(Setting.NGINX_MAX_BODY_MB),
        tls,
        servers,
        routing(snapshot, serverOf, edge),
        NginxErrorAnswers.of(snapshot.integer(Setting.NGINX_MAX_BODY_MB), snapshot.integer(Setting.NGINX_RATE),
            snapshot.integer(Setting.NGINX_BURST), snapshot.integer(Setting.NGINX_READ_TIMEOUT_S)),
        fullConfig && edge == null ? prefix + "/" + ANSWERS_LOG : null,
        edge != null ? REQUESTS_LOG : fullConfig ? prefix + "/" + REQUESTS_LOG : SYSTEM_REQUESTS_LOG);
  }

  /**
   * Whether an edge cannot dial this bridge: it listens on its machine's loopback (or on every address,
   * which the console's config dials on loopback), and that machine is another.
   */
  private static boolean unreachableFrom(Edge edge, Instance instance) {
    return !instance.host().equals(edge.host()) && HostPort.isLoopbackOrWildcard(instance.listenHost());
  }

  /**
   * Routing by model, when nginx has njs, routing is not off and some instance serves a model:
   * instances that serve the same models share one group. The map's keys are routing keys (see
   * {@link ClusterModels#routingKey}); a name without a tag also answers to {@code :latest}, as
   * Ollama has it.
   */
  private static NginxModel.Routing routing(Snapshot snapshot, Map<Long, NginxModel.Server> serverOf, Edge edge) {
    if (snapshot.njs() == null || snapshot.setting(Setting.ROUTING_BY_MODEL).equals("off")) {
      return null;
    }
    SortedMap<String, ClusterModels.Model> models = ClusterModels.of(snapshot.instances(), snapshot.discovered());
    if (models.isEmpty()) {
      return null; // nothing learnt yet: every request goes to the whole cluster, as without routing
    }
    Map<List<Long>, String> groupOf = new LinkedHashMap<>();
    Map<String, List<String>> modelsOf = new LinkedHashMap<>();
    List<NginxModel.MapEntry> map = new ArrayList<>();
    SortedSet<String> names = new TreeSet<>();
    for (Map.Entry<String, ClusterModels.Model> model : models.entrySet()) {
      List<Long> ids = model.getValue().servers().stream().map(server -> server.instance().id()).sorted().toList();
      String group = groupOf.computeIfAbsent(ids, key -> "group_" + (groupOf.size() + 1));
      modelsOf.computeIfAbsent(group, key -> new ArrayList<>()).add(model.getValue().name());
      String key = model.getKey();
      map.add(new NginxModel.MapEntry(key, "@" + group));
      if (!key.contains(":")) {
        map.add(new NginxModel.MapEntry(key + ":latest", "@" + group));
      }
      names.addAll(model.getValue().spellings());
    }
    List<NginxModel.Group> groups = new ArrayList<>();
    groupOf.forEach((ids, group) -> groups.add(new NginxModel.Group(group, abbreviated(String.join(", ", modelsOf.get(group))),
        ids.stream().map(serverOf::get).toList())));
    int longest = map.stream().mapToInt(entry -> entry.model().length()).max().orElse(0);
    return new NginxModel.Routing(snapshot.njs().loadModule(),
        edge == null ? snapshot.njs().script().toString() : snapshot.njs().script().getFileName().toString(),
        snapshot.setting(Setting.ROUTING_UNKNOWN_MODEL), groups, map, mapBucketSize(longest),
        Math.max(2048, Integer.highestOneBit(Math.max(1, map.size())) * 4), pages(names),
        JsonNodeFactory.instance.objectNode().put("version", Dialect.OLLAMA_API_VERSION).toString());
  }

  /**
   * A {@code map_hash_bucket_size} that holds the longest key a few times over. nginx refuses the
   * map when one entry (a pointer, the name padded to a pointer's size plus two bytes) and the
   * bucket's end do not fit, and warns when no table size up to {@code map_hash_max_size} puts
   * every colliding set of names in one bucket; the buckets are allocated at the size of what
   * they hold, so room costs nothing but a longer scan of the rare full bucket.
   */
  static int mapBucketSize(int longestKey) {
    int entry = 8 + ((longestKey + 2 + 7) & ~7);
    return Math.max(64, Integer.highestOneBit(4 * entry + 8 - 1) << 1);
  }

  /** The names, space-separated, in pages of at most {@link #PAGE_CHARS} characters. */
  private static List<String> pages(Collection<String> names) {
    List<String> pages = new ArrayList<>();
    StringBuilder page = new StringBuilder();
    for (String name : names) {
      if (page.length() > 0 && page.length() + 1 + name.length() > PAGE_CHARS) {
        pages.add(page.toString());
        page.setLength(0);
      }
      page.append(page.length() > 0 ? " " : "").append(name);
    }
    pages.add(page.toString());
    return pages;
  }

  private static String abbreviated(String text) {
    return text.length() <= 400 ? text : text.substring(0, 400) + "…";
  }

  private static String listen(Snapshot snapshot, Setting setting) {
    try {
      return HostPort.parse(snapshot.setting(setting)).toString();
    } catch (IllegalArgumentException e) {
      throw new RenderException(setting.key(), setting.key() + ": " + e.getMessage());
    }
  }

  /** Where nginx dials a bridge; checked again here, whatever the database holds. */
  private static String address(Instance instance) {
    String address = instance.reachableAddress();
    String host = address.substring(0, address.lastIndexOf(':')).replace("[", "").replace("]", "");
    if (!HOST.matcher(host).matches() || instance.port() < 1 || instance.port() > 65535) {
      throw new RenderException("listen_host", "instance '" + instance.name() + "' has an address unfit for a config file: " + address);
    }
    return address;
  }

  private static String checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new RenderException("name", "instance name '" + name + "' is unfit for a config file");
    }
    return name;
  }

  private static String check(Setting setting, String value, Pattern rule) {
    if (!rule.matcher(value).matches()) {
      throw new RenderException(setting.key(), setting.key() + " '" + value + "' is unfit for nginx.conf");
    }
    return value;
  }

  private String render(String template, Object model) {
    StringOutput output = new StringOutput();
    templates.render(template, model, output);
    return output.toString();
  }
}
