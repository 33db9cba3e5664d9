package dev.ollamabridge.console.settings;

import dev.ollamabridge.bridge.BridgeConfig;
import dev.ollamabridge.bridge.cache.RedisAddress;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.jdk.Jdk;
import dev.ollamabridge.console.jdk.JdkSearch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The console's settings: each with its key, default and rule. A value is checked by its rule
 * before it is stored; the rule's message says what is allowed.
 *
 * <p>An <em>operator</em> setting names something the console executes, writes outside its data
 * directory or lets nginx read (a command, a path, the nginx mode that decides whether commands run
 * at all, the directory of the TLS certificates and keys). It comes only from the console's command
 * line or environment ({@link #flag()}, {@link #environmentVariable()}), is shown but never stored,
 * and the API cannot change it.
 */
public enum Setting {
  DEFAULT_UPSTREAM("default_upstream", "http://127.0.0.1:11434", Setting::upstreamUrl),
  FIRST_PORT("first_port", "3000", value -> integer(value, 1024, 65000)),
  /**
   * The ports an instance may listen on, FROM-TO: unprivileged ones unless the operator widens it (a
   * bridge on port 80 needs a privilege the console should not hand out by default).
   */
  INSTANCE_PORTS("instance_ports", "1024-65535", value -> PortRange.parse(value).toString()),
  HEALTH_INTERVAL_MS("health.interval_ms", "3000", value -> integer(value, 200, 600_000)),
  HEALTH_TIMEOUT_MS("health.timeout_ms", "1000", value -> integer(value, 100, 60_000)),
  HEALTH_RISE("health.rise", "2", value -> integer(value, 1, 100)),
  HEALTH_FALL("health.fall", "5", value -> integer(value, 1, 100)),
  /** supervisord's knobs for the bridges; read when the console starts, and written into supervisor.conf. */
  SUPERVISE_STARTSECS("supervise.startsecs", "2", value -> integer(value, 0, 600)),
  SUPERVISE_STARTRETRIES("supervise.startretries", "3", value -> integer(value, 0, 100)),
  SUPERVISE_STOPWAITSECS("supervise.stopwaitsecs", "10", value -> integer(value, 1, 600)),
  SUPERVISE_LOG_MAX_MB("supervise.log_max_mb", "50", value -> integer(value, 1, 10_240)),
  SUPERVISE_LOG_BACKUPS("supervise.log_backups", "10", value -> integer(value, 0, 100)),
  /**
   * The wait before the first retry of a failed start, doubling for each further one up to 30 s; read when
   * the console starts. Not a supervisord knob, so supervisor.conf does not carry it.
   */
  SUPERVISE_BACKOFF_MS("supervise.backoff_ms", "1000", value -> integer(value, 100, 30_000)),
  /**
   * The java the bridges run on: auto (the newest JDK 21 or later found, else the console's own) or the
   * path of one; read when the console starts, and written into supervisor.conf.
   */
  BRIDGE_JAVA("bridge.java", JdkSearch.AUTO, Setting::bridgeJava, true),
  /** The audit log and the nginx revisions keep this many of their newest rows, none older than so many days. */
  EVENTS_KEEP("events.keep", "100000", value -> integer(value, 100, 10_000_000)),
  EVENTS_KEEP_DAYS("events.keep_days", "90", value -> integer(value, 1, 36_500)),
  NGINX_REVISIONS_KEEP("nginx.revisions_keep", "200", value -> integer(value, 10, 100_000)),
  NGINX_REVISIONS_KEEP_DAYS("nginx.revisions_keep_days", "365", value -> integer(value, 1, 36_500)),
  /** How often the console asks each healthy bridge for its models (also when it turns healthy). */
  MODELS_REFRESH_S("models.refresh_s", "30", value -> integer(value, 5, 86_400)),
  /**
   * How often the console reads each running bridge's /metrics for the live figures and the charts
   * (which keep an hour: at least a second apart, so at most 3600 points per bridge).
   */
  METRICS_SCRAPE_INTERVAL_MS("metrics.scrape_interval_ms", "5000", value -> integer(value, 1000, 600_000)),
  /** auto: nginx routes each request to the instances serving its model when the njs module is there; off: never. */
  ROUTING_BY_MODEL("routing.by_model", "auto", value -> oneOf(value, Choices.BY_MODEL)),
  /** reject: a model no instance serves is a 404 naming those served; any: such a request goes to the whole cluster. */
  ROUTING_UNKNOWN_MODEL("routing.unknown_model", "reject", value -> oneOf(value, Choices.UNKNOWN_MODEL)),
  /** managed: the console runs its own nginx; system: it writes a file and runs a reload command; off: render only. */
  NGINX_MODE("nginx.mode", "managed", value -> oneOf(value, Choices.NGINX_MODE), true),
  NGINX_LISTEN("nginx.listen", "127.0.0.1:8080", Setting::listen),
  NGINX_SERVER_NAME("nginx.server_name", "_", value -> matches(value, "_|[A-Za-z0-9*]([A-Za-z0-9.*-]{0,252})",
      "_ or a host name such as api.example.com")),
  NGINX_BALANCE("nginx.balance", "least_conn", value -> oneOf(value, Choices.BALANCE)),
  NGINX_HASH_KEY("nginx.hash_key", "$remote_addr", value -> matches(value, "(\\$[a-z_][a-z0-9_]*)+",
      "one or more nginx variables such as $remote_addr or $http_x_session_id")),
  NGINX_KEEPALIVE("nginx.keepalive", "32", value -> integer(value, 1, 4096)),
  NGINX_READ_TIMEOUT_S("nginx.read_timeout_s", "300", value -> integer(value, 1, 86_400)),
  NGINX_NEXT_UPSTREAM_TRIES("nginx.next_upstream_tries", "3", value -> integer(value, 1, 20)),
  NGINX_RATE("nginx.rate_per_second", "100", value -> integer(value, 1, 1_000_000)),
  NGINX_BURST("nginx.burst", "200", value -> integer(value, 0, 1_000_000)),
  NGINX_MAX_BODY_MB("nginx.max_body_mb", "32", value -> integer(value, 1, 4096)),
  NGINX_TLS_LISTEN("nginx.tls_listen", "127.0.0.1:8443", Setting::listen),
  /** Empty, or a readable file under nginx.tls_dir: nginx's certificate, and its key. */
  NGINX_TLS_CERT("nginx.tls_cert", "", Setting::tlsFile),
  NGINX_TLS_KEY("nginx.tls_key", "", Setting::tlsFile),
  /**
   * The directory nginx.tls_cert and nginx.tls_key must lie under; the console fills in {@code <data>/tls}
   * when the operator names none.
   */
  NGINX_TLS_DIR("nginx.tls_dir", "", value -> value.isEmpty() ? value : Path.of(matches(value, Setting.SAFE_PATH,
      "an absolute path of letters, digits, '.', '_', '-' and '/'")).normalize().toString(), true),
  NGINX_SYSTEM_PATH("nginx.system_path", "/etc/nginx/conf.d/ollama-bridge.conf", value -> matches(value,
      Setting.SAFE_PATH, "an absolute path of letters, digits, '.', '_', '-' and '/'"), true),
  NGINX_TEST_COMMAND("nginx.test_command", "nginx -t", Setting::command, true),
  NGINX_RELOAD_COMMAND("nginx.reload_command", "nginx -s reload", Setting::command, true),
  /** Where instances may keep their caches, ':'-separated; empty: {@code <data>/cache} only. */
  CACHE_ROOTS("cache.roots", "", value -> value.isEmpty() ? value : matches(value,
      "/[A-Za-z0-9._/-]{1,255}(:/[A-Za-z0-9._/-]{1,255})*",
      "absolute paths of letters, digits, '.', '_', '-' and '/', separated by ':'"), true),
  /**
   * The Redis every bridge with the cache on shares as a cache tier: empty (off), or
   * {@code redis://HOST:PORT[/DB]} or {@code rediss://…}. Never a password: a URL shows in answers,
   * events and the bridges' command lines, so the password is {@link #CACHE_REDIS_PASSWORD}.
   */
  CACHE_REDIS_URL("cache.redis_url", "", Setting::redisUrl),
  /**
   * The password of cache.redis_url's Redis, from the console's environment only: a secret, never
   * stored, never shown ({@link Settings#all()} says whether it is set), never on a command line.
   */
  CACHE_REDIS_PASSWORD("cache.redis_password", "", Setting::redisPassword, true),
  /**
   * off, or the HOST:PORT a Redis the console runs itself binds (managed, under {@code <data>/redis},
   * with a password it generates). Every bridge dials that address, so it names one: a wildcard
   * (0.0.0.0, ::) would give the bridges nothing to dial.
   */
  CACHE_REDIS_MANAGED("cache.redis_managed", "off", Setting::redisManaged),
  /** The managed Redis's maxmemory, in MiB; past it the least recently used keys go (allkeys-lru). */
  CACHE_REDIS_MAX_MEMORY_MB("cache.redis_max_memory_mb", "256", value -> integer(value, 16, 1_048_576)),
  /** The usage page's hourly rows are kept this many days, then deleted (checked every hour). */
  USAGE_KEEP_DAYS("usage.keep_days", "365", value -> integer(value, 1, 3650)),
  /** off, or daily: a backup (without secrets) into backup.dir when the newest there is a day old. */
  BACKUP_SCHEDULE("backup.schedule", "off", value -> oneOf(value, Choices.BACKUP_SCHEDULE)),
  /** How many of the newest backups backup.dir keeps; older ones go after each new backup. */
  BACKUP_KEEP("backup.keep", "7", value -> integer(value, 1, 1000)),
  /**
   * Where backups are written: empty for {@code <data>/backups}. An operator setting: the console writes there,
   * and a directory outside the data directory is the operator's to name.
   */
  BACKUP_DIR("backup.dir", "", value -> value.isEmpty() ? value : Path.of(matches(value, Setting.SAFE_PATH,
      "an absolute path of letters, digits, '.', '_', '-' and '/'")).normalize().toString(), true),
  /** Whether every request through nginx and the bridges needs a client key: auto (once a key exists), on, off. */
  KEYS_REQUIRED("keys.required", "auto", value -> oneOf(value, Choices.KEYS_REQUIRED)),
  /**
   * Each bridge's request log is rotated at this size (its {@code --request-log-max-bytes}), on every host;
   * the bridges take a change at their next start.
   */
  LOGS_REQUESTS_MAX_MB("logs.requests_max_mb", "10", value -> integer(value, 1, 10_240)),
  /** Rotated request logs older than this are deleted (the bridges' {@code --request-log-max-age-days}). */
  LOGS_REQUESTS_KEEP_DAYS("logs.requests_keep_days", "30", value -> integer(value, 1, 3650));

  /** The values of the settings that take one of a few words; a form shows them as a choice. */
  private static final class Choices {
    static final List<String> BY_MODEL = List.of("auto", "off");
    static final List<String> UNKNOWN_MODEL = List.of("reject", "any");
    static final List<String> NGINX_MODE = List.of("managed", "system", "off");
    static final List<String> BALANCE = List.of("least_conn", "round_robin", "ip_hash", "hash");
    static final List<String> BACKUP_SCHEDULE = List.of("off", "daily");
    static final List<String> KEYS_REQUIRED = List.of("auto", "on", "off");
  }

  /** The word that turns an optional part off. */
  public static final String OFF = "off";

  /** An absolute path of characters that need no quoting in nginx.conf or a command line. */
  private static final String SAFE_PATH = "/[A-Za-z0-9._/-]{1,255}";

  /** A rule that also reads other settings: the value in its stored form, or an {@link IllegalArgumentException}. */
  @FunctionalInterface
  private interface Rule {
    String apply(String value, Map<Setting, String> current);
  }

  private final String key;
  private final String defaultValue;
  private final Rule rule;
  private final boolean operator;

  Setting(String key, String defaultValue, UnaryOperator<String> rule) {
    this(key, defaultValue, rule, false);
  }

  Setting(String key, String defaultValue, UnaryOperator<String> rule, boolean operator) {
    this(key, defaultValue, (value, current) -> rule.apply(value), operator);
  }

  Setting(String key, String defaultValue, Rule rule) {
    this(key, defaultValue, rule, false);
  }

  Setting(String key, String defaultValue, Rule rule, boolean operator) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.rule = rule;
    this.operator = operator;
  }

  public String key() {
    return key;
  }

  public String defaultValue() {
    return defaultValue;
  }

  /** The words this setting takes, in the order a choice shows them; empty when it takes other values. */
  public List<String> choices() {
    return switch (this) {
      case ROUTING_BY_MODEL -> Choices.BY_MODEL;
      case ROUTING_UNKNOWN_MODEL -> Choices.UNKNOWN_MODEL;
      case NGINX_MODE -> Choices.NGINX_MODE;
      case NGINX_BALANCE -> Choices.BALANCE;
      case BACKUP_SCHEDULE -> Choices.BACKUP_SCHEDULE;
      case KEYS_REQUIRED -> Choices.KEYS_REQUIRED;
      default -> List.of();
    };
  }

  /**
   * Whether the running console reads this setting only when it starts (the supervisor's policy, the
   * bridges' java): a change is stored, and written into supervisor.conf at once, but the console's own
   * bridges follow it after a console restart.
   */
  public boolean readAtStart() {
    return key.startsWith("supervise.") || this == BRIDGE_JAVA;
  }

  /**
   * A secret operator setting: it comes from the console's environment only (a flag would show in
   * the process list), and is shown as whether it is set, never as its value.
   */
  public boolean secret() {
    return this == CACHE_REDIS_PASSWORD;
  }

  /**
   * The rules between settings, on the settings as they would be: each broken one names a setting
   * and the others it involves.
   */
  public static List<String> conflicts(Map<Setting, String> wouldBe) {
    String url = wouldBe.getOrDefault(CACHE_REDIS_URL, "");
    String managed = wouldBe.getOrDefault(CACHE_REDIS_MANAGED, CACHE_REDIS_MANAGED.defaultValue);
    if (!url.isEmpty() && !managed.equals(OFF)) {
      return List.of(CACHE_REDIS_URL.key + " and " + CACHE_REDIS_MANAGED.key + " cannot both be set: "
          + CACHE_REDIS_URL.key + " names a Redis of your own, " + CACHE_REDIS_MANAGED.key + " runs one;"
          + " empty the first or turn the second off");
    }
    return List.of();
  }

  /** Set by the operator at console start, never through the API. */
  public boolean operator() {
    return operator;
  }

  /** The console flag of an operator setting: {@code nginx.test_command} is {@code --nginx-test-command}. */
  public String flag() {
    return "--" + key.replace('.', '-').replace('_', '-');
  }

  /** The environment variable of an operator setting: {@code OLLAMA_BRIDGE_NGINX_TEST_COMMAND}. */
  public String environmentVariable() {
    return "OLLAMA_BRIDGE_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** Where an operator setting comes from, for messages that tell the user where to change it. */
  public String whereSet() {
    if (secret()) {
      return "the console's " + environmentVariable() + " environment variable";
    }
    return "the console's " + flag() + " flag or its " + environmentVariable() + " environment variable";
  }

  /**
   * The value in its stored form, or an {@link IllegalArgumentException} that states the rule; a rule
   * that reads other settings (the TLS files read nginx.tls_dir) finds them unset and refuses.
   */
  public String check(String value) {
    return check(value, Map.of());
  }

  /** The value in its stored form, checked with the other settings as they are now ({@code current}). */
  public String check(String value, Map<Setting, String> current) {
    return rule.apply(value, current);
  }

  public static Optional<Setting> byKey(String key) {
    for (Setting setting : values()) {
      if (setting.key.equals(key)) {
        return Optional.of(setting);
      }
    }
    return Optional.empty();
  }

  private static String integer(String value, int min, int max) {
    try {
      int number = Integer.parseInt(value.strip());
      if (number >= min && number <= max) {
        return Integer.toString(number);
      }
    } catch (NumberFormatException ignored) {
      // falls through to the message
    }
    throw new IllegalArgumentException("must be an integer from " + min + " to " + max);
  }

  private static String oneOf(String value, List<String> allowed) {
    if (allowed.contains(value)) {
      return value;
    }
    throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
  }

  private static String matches(String value, String pattern, String ruleText) {
    if (value.matches(pattern)) {
      return value;
    }
    throw new IllegalArgumentException("must be " + ruleText);
  }

  /** A command for system mode: words of safe characters, split on single spaces and run without a shell. */
  private static String command(String value) {
    return matches(value, "[A-Za-z0-9._/=-]+( [A-Za-z0-9._/=-]+)*",
        "a command and its arguments separated by single spaces (run without a shell)");
  }

  /** auto, or the checked path of a java of a JDK 17 or newer; it is run as an argv, never through a shell. */
  private static String bridgeJava(String value) {
    return value.equals(JdkSearch.AUTO) ? value : Jdk.requireForBridges(value).java().toString();
  }

  private static String listen(String value) {
    try {
      HostPort address = HostPort.parse(value);
      if (address.port() == 0) {
        throw new IllegalArgumentException("port 0");
      }
      return address.toString();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("must be HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:8080");
    }
  }

  /**
   * Empty (not set), or a readable regular file under the operator's nginx.tls_dir, by the path given
   * and by the path its links lead to: a token holder chooses among the certificates and keys the
   * operator put there. A path outside, a {@code ..}, a link out, a missing, unreadable or special file
   * all get one answer, so that the answer tells nothing about files elsewhere; a path outside is
   * refused before the filesystem is asked.
   */
  private static String tlsFile(String value, Map<Setting, String> current) {
    if (value.isEmpty()) {
      return value;
    }
    String dir = current.getOrDefault(NGINX_TLS_DIR, "");
    IllegalArgumentException refused = new IllegalArgumentException("must be empty or name a readable file under "
        + (dir.isEmpty() ? "the TLS directory" : dir) + " (the directory the console's " + NGINX_TLS_DIR.flag()
        + " names)");
    if (dir.isEmpty() || !value.matches(SAFE_PATH)) {
      throw refused;
    }
    Path directory = Path.of(dir);
    Path file = Path.of(value);
    if (!file.normalize().equals(file) || !file.startsWith(directory) || file.equals(directory)) {
      throw refused;
    }
    try {
      Path real = file.toRealPath();
      if (!real.startsWith(directory.toRealPath()) || !Files.isRegularFile(real) || !Files.isReadable(real)) {
        throw refused;
      }
    } catch (IOException | SecurityException e) {
      throw refused;
    }
    return value;
  }

  /**
   * An http(s) base URL with a host, no spaces, quotes, ';' or '\\' (it reaches command lines and
   * config files), and no {@code user:password@}: a URL is shown in answers, events, process
   * lists and logs, so credentials belong in upstream_api_key.
   */
  private static String upstreamUrl(String value) {
    if (value.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\'' || c == '\\' || c == ';' || c > 126)) {
      throw new IllegalArgumentException("must not contain spaces, quotes, ';' or '\\'");
    }
    if (userInfo(value) != null) {
      throw new IllegalArgumentException("must not carry user:password@: put the credential in upstream_api_key");
    }
    try {
      return BridgeConfig.checkUpstream(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("must be an http:// or https:// base URL with a host, e.g. http://127.0.0.1:11434");
    }
  }

  /**
   * Empty, or what a bridge's {@code --cache-redis} takes (redis:// or rediss://, a host, a port, a
   * database number, an ACL user name) and no character a command line or supervisor.conf would
   * need quoted. A password is refused whole (never echoed) and sent to its own setting.
   */
  private static String redisUrl(String value) {
    if (value.isEmpty()) {
      return value;
    }
    String rule = "must be empty or redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB], e.g. redis://10.0.0.5:6379";
    if (value.length() > 300 || value.chars().anyMatch(c -> c <= ' ' || c > 126 || "\"'\\;%`$".indexOf(c) >= 0)) {
      throw new IllegalArgumentException(rule);
    }
    String user = userInfo(value);
    if (user != null && user.contains(":")) {
      throw new IllegalArgumentException("must not carry a password: put the password in the console's "
          + CACHE_REDIS_PASSWORD.environmentVariable() + " environment variable");
    }
    try {
      RedisAddress.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(rule);
    }
    return value;
  }

  /** The Redis password: what reaches a bridge unchanged through its environment and supervisord. */
  private static String redisPassword(String value) {
    if (value.isEmpty() || value.matches("[\\x21\\x23-\\x26\\x28-\\x7E]{1,512}") && !value.contains("%(")) {
      return value;
    }
    throw new IllegalArgumentException("must be 1 to 512 printable ASCII characters without spaces, quotes or '%('");
  }

  /** off, or a HOST:PORT that names one address: the bridges dial what the managed Redis binds. */
  private static String redisManaged(String value) {
    if (value.equals(OFF)) {
      return value;
    }
    String rule = "must be off or the HOST:PORT the console's Redis binds and every bridge dials, e.g. 127.0.0.1:6379"
        + " (one address, not 0.0.0.0 or ::)";
    try {
      HostPort address = HostPort.parse(value);
      if (address.port() == 0 || HostPort.isWildcard(address.host())) {
        throw new IllegalArgumentException(rule);
      }
      return address.toString();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(rule);
    }
  }

  private static String userInfo(String url) {
    try {
      return java.net.URI.create(url).getRawUserInfo();
    } catch (IllegalArgumentException notAUri) {
      return null; // refused as a URL next
    }
  }
}
