package dev.ollamabridge.console.instances;

import dev.ollamabridge.bridge.BrowserOrigins;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.PortRange;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.validation.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The rules every instance change must pass, whichever adapter it came through: whatever passes
 * here may later be written into a command line or an nginx config, so each rule is strict.
 */
public final class InstanceRules {

  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern ORIGIN = Pattern.compile("\\*|[a-z][a-z0-9+.-]{0,15}://[a-z0-9.\\[\\]:-]{1,260}");
  private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._/-]{1,255}");
  /** Model names as Ollama and OpenAI-compatible APIs write them: {@code llama3.2:3b}, {@code org/model}, {@code hf.co/x/y:Q4_K_M}. */
  static final String MODEL_RULE = "of letters, digits and . _ : / @ + -, starting with a letter or digit, at most 200 characters";
  public static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}");
  private static final int MAX_MODELS = 64;
  private static final int MAX_ALIASES = 32;
  private static final int MAX_CLIENT_KEYS = 32;
  private static final int MAX_ORIGINS = 16;
  /** The console's own programs: an instance of one of these names would take their pid and log files. */
  private static final Set<String> RESERVED_NAMES = Set.of("nginx", "bridge-archive", "redis");

  private InstanceRules() {}

  /**
   * The instance with every change applied, each checked; every broken rule (and every value the
   * adapter could not read) is thrown together, each naming its field.
   *
   * @param ports the ports an instance may move to (an instance keeps one the range no longer holds)
   */
  public static Instance apply(Instance base, InstanceChanges c, PortRange ports) {
    Checks checks = new Checks(c.unreadable());
    String name = checks.of(c.name(), base.name(), InstanceRules::name);
    String host = checks.of(c.host(), base.host(), InstanceRules::hostName);
    String listenHost = checks.of(c.listenHost(), base.listenHost(), InstanceRules::listenHost);
    int port = checks.of(c.port(), base.port(), value -> port(value, base, ports));
    String upstreamUrl = checks.of(c.upstreamUrl(), base.upstreamUrl(), InstanceRules::upstream);
    String dialect = checks.of(c.upstreamDialect(), base.upstreamDialect(),
        value -> oneOf(InstanceField.UPSTREAM_DIALECT, value, "auto", "ollama", "openai"));
    int weight = checks.of(c.weight(), base.weight(), value -> inRange(InstanceField.WEIGHT, value));
    String role = checks.of(c.role(), base.role(), value -> oneOf(InstanceField.ROLE, value, "primary", "backup"));
    int maxFails = checks.of(c.maxFails(), base.maxFails(), value -> inRange(InstanceField.MAX_FAILS, value));
    int failTimeout = checks.of(c.failTimeout(), base.failTimeoutSeconds(), value -> inRange(InstanceField.FAIL_TIMEOUT, value));
    String cacheDir = checks.of(c.cacheDir(), base.cacheDir(), value -> matching(InstanceField.CACHE_DIR, value, PATH));
    String apiKey = c.upstreamApiKey() == null ? base.upstreamApiKey()
        : checks.of(c.upstreamApiKey(), Optional.ofNullable(base.upstreamApiKey()),
            key -> key.map(k -> secret(InstanceField.UPSTREAM_API_KEY, k))).orElse(null);
    List<String> clientKeys = checks.of(c.clientKeys(), base.clientKeys(), InstanceRules::clientKeys);
    int rateLimit = checks.of(c.rateLimit(), base.rateLimit(), value -> inRange(InstanceField.RATE_LIMIT, value));
    List<String> origins = checks.of(c.allowedOrigins(), base.allowedOrigins(), InstanceRules::origins);
    List<String> models = checks.of(c.models(), base.models(), InstanceRules::models);
    List<String> aliases = checks.of(c.modelAliases(), base.modelAliases(), InstanceRules::aliases);
    int maxConcurrent = checks.of(c.maxConcurrent(), base.maxConcurrent(), value -> inRange(InstanceField.MAX_CONCURRENT, value));
    int queueSize = checks.of(c.queueSize(), base.queueSize(), value -> inRange(InstanceField.QUEUE_SIZE, value));
    int queueTimeout = checks.of(c.queueTimeoutMs(), base.queueTimeoutMs(), value -> inRange(InstanceField.QUEUE_TIMEOUT, value));
    boolean sharedMode = or(c.sharedMode(), base.sharedMode());
    if (sharedMode && (apiKey == null || apiKey.isEmpty()) && !checks.refused(InstanceField.UPSTREAM_API_KEY)) {
      checks.add(InstanceField.UPSTREAM_API_KEY.key(), "shared_mode needs an upstream_api_key");
    }
    checks.throwIfAny();
    return new Instance(base.id(), name, host, listenHost, port, upstreamUrl, dialect, weight, role, maxFails, failTimeout,
        or(c.cacheEnabled(), base.cacheEnabled()), cacheDir, sharedMode, apiKey, clientKeys, rateLimit,
        or(c.thinkFilter(), base.thinkFilter()), or(c.enabled(), base.enabled()), or(c.managed(), base.managed()),
        origins, models, aliases, maxConcurrent, queueSize, queueTimeout, or(c.logBodies(), base.logBodies()), base.version(), base.createdAt(),
        base.updatedAt());
  }

  /** The broken rules of one change, gathered field by field so that all of them are answered at once. */
  private static final class Checks {
    private final List<Violation> violations;

    Checks(List<Violation> unreadable) {
      this.violations = new ArrayList<>(unreadable);
    }

    /** The given value once its rule passes; the current one when none is given or the rule refuses it. */
    <T> T of(T given, T current, UnaryOperator<T> rule) {
      if (given == null) {
        return current;
      }
      try {
        return rule.apply(given);
      } catch (InvalidInput e) {
        violations.addAll(e.violations());
        return current;
      }
    }

    boolean refused(InstanceField field) {
      return violations.stream().anyMatch(v -> field.key().equals(v.field()));
    }

    void add(String field, String message) {
      violations.add(new Violation(field, message));
    }

    void throwIfAny() {
      if (!violations.isEmpty()) {
        throw new InvalidInput(violations);
      }
    }
  }

  private static boolean or(Boolean given, boolean current) {
    return given == null ? current : given;
  }

  private static String name(String value) {
    if (RESERVED_NAMES.contains(value)) {
      throw new InvalidInput(InstanceField.NAME.key(), "name must not be " + value
          + ": the console's own programs are called nginx, bridge-archive and redis");
    }
    return matching(InstanceField.NAME, value, NAME);
  }

  private static String matching(InstanceField field, String value, Pattern rule) {
    if (!rule.matcher(value).matches()) {
      throw field.invalid();
    }
    return value;
  }

  private static int inRange(InstanceField field, int value) {
    if (value < field.min() || value > field.max()) {
      throw field.invalid();
    }
    return value;
  }

  /** One rule for every port: inside the range the operator allows; an instance may keep the port it has. */
  private static int port(int value, Instance base, PortRange ports) {
    if (!ports.contains(value) && (base.id() == 0 || value != base.port())) {
      throw new InvalidInput(InstanceField.PORT.key(), "port must be from " + ports.from() + " to " + ports.to()
          + " (the setting " + Setting.INSTANCE_PORTS.key() + ", which an administrator can widen)");
    }
    return value;
  }

  private static String oneOf(InstanceField field, String value, String... allowed) {
    if (!List.of(allowed).contains(value)) {
      throw field.invalid();
    }
    return value;
  }

  private static String secret(InstanceField field, String value) {
    if (!BridgeSecrets.check(value)) {
      throw field.invalid();
    }
    return value;
  }

  private static String listenHost(String value) {
    if (!HostPort.isHost(value)) {
      throw InstanceField.LISTEN_HOST.invalid();
    }
    return value;
  }

  /** A host's name has the shape of an instance's; whether that host exists is the placement's to check. */
  private static String hostName(String value) {
    if (!NAME.matcher(value).matches()) {
      throw InstanceField.HOST.invalid();
    }
    return value;
  }

  /** The same rule as the default_upstream setting's, so the two never disagree. */
  private static String upstream(String value) {
    try {
      return Setting.DEFAULT_UPSTREAM.check(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidInput(InstanceField.UPSTREAM_URL.key(), "upstream_url " + e.getMessage());
    }
  }

  private static List<String> models(List<String> given) {
    if (given.size() > MAX_MODELS) {
      throw InstanceField.MODELS.invalid();
    }
    given.forEach(model -> matching(InstanceField.MODELS, model, MODEL));
    return given.stream().distinct().toList();
  }

  /** {@code CLIENT=BACKEND}, as the bridge's {@code --model-alias} takes it; a CLIENT once. */
  private static List<String> aliases(List<String> given) {
    if (given.size() > MAX_ALIASES) {
      throw InstanceField.MODEL_ALIASES.invalid();
    }
    Set<String> clients = new HashSet<>();
    for (String alias : given) {
      int equals = alias.indexOf('=');
      if (equals < 0 || !MODEL.matcher(alias.substring(0, equals)).matches()
          || !MODEL.matcher(alias.substring(equals + 1)).matches() || !clients.add(alias.substring(0, equals))) {
        throw InstanceField.MODEL_ALIASES.invalid();
      }
    }
    return List.copyOf(given);
  }

  private static List<String> clientKeys(List<String> keys) {
    if (keys.size() > MAX_CLIENT_KEYS) {
      throw InstanceField.CLIENT_KEYS.invalid();
    }
    keys.forEach(key -> secret(InstanceField.CLIENT_KEYS, key));
    return List.copyOf(keys);
  }

  /**
   * Browser origins as the bridge's {@code --allowed-origin} takes them ({@code *}, or scheme, host
   * and port), stored in their normal form so nothing else reaches a command line.
   */
  private static List<String> origins(List<String> given) {
    if (given.size() > MAX_ORIGINS) {
      throw InstanceField.ALLOWED_ORIGINS.invalid();
    }
    return given.stream().map(origin -> {
      String normal = BrowserOrigins.normalForm(origin);
      if (normal == null || !ORIGIN.matcher(normal).matches()) {
        throw InstanceField.ALLOWED_ORIGINS.invalid();
      }
      return normal;
    }).toList();
  }
}
