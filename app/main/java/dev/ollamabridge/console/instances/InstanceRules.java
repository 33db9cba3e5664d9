package dev.ollamabridge.console.instances;

import dev.ollamabridge.bridge.BrowserOrigins;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.PortRange;
import dev.ollamabridge.console.settings.Setting;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
  static final String MODEL_RULE = "letters, digits and . _ : / @ + - (at most 200, starting with a letter or digit)";
  public static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}");
  private static final int MAX_MODELS = 64;
  private static final int MAX_ALIASES = 32;
  private static final int MAX_CLIENT_KEYS = 32;
  private static final int MAX_ORIGINS = 16;

  private InstanceRules() {}

  /**
   * The instance with every change applied, each checked; the first broken rule is thrown, naming its field.
   *
   * @param ports the ports an instance may move to (an instance keeps one the range no longer holds)
   */
  public static Instance apply(Instance base, InstanceChanges c, PortRange ports) {
    String name = c.name() == null ? base.name() : matching(InstanceField.NAME, c.name(), NAME);
    String host = c.host() == null ? base.host() : host(c.host());
    int port = c.port() == null ? base.port() : port(c.port(), base, ports);
    String upstreamUrl = c.upstreamUrl() == null ? base.upstreamUrl() : upstream(c.upstreamUrl());
    String dialect = c.upstreamDialect() == null ? base.upstreamDialect()
        : oneOf(InstanceField.UPSTREAM_DIALECT, c.upstreamDialect(), "auto", "ollama", "openai");
    int weight = c.weight() == null ? base.weight() : inRange(InstanceField.WEIGHT, c.weight());
    String role = c.role() == null ? base.role() : oneOf(InstanceField.ROLE, c.role(), "primary", "backup");
    int maxFails = c.maxFails() == null ? base.maxFails() : inRange(InstanceField.MAX_FAILS, c.maxFails());
    int failTimeout = c.failTimeout() == null ? base.failTimeoutSeconds() : inRange(InstanceField.FAIL_TIMEOUT, c.failTimeout());
    String cacheDir = c.cacheDir() == null ? base.cacheDir() : matching(InstanceField.CACHE_DIR, c.cacheDir(), PATH);
    String apiKey = c.upstreamApiKey() == null ? base.upstreamApiKey()
        : c.upstreamApiKey().map(key -> secret(InstanceField.UPSTREAM_API_KEY, key)).orElse(null);
    List<String> clientKeys = c.clientKeys() == null ? base.clientKeys() : clientKeys(c.clientKeys());
    int rateLimit = c.rateLimit() == null ? base.rateLimit() : inRange(InstanceField.RATE_LIMIT, c.rateLimit());
    List<String> origins = c.allowedOrigins() == null ? base.allowedOrigins() : origins(c.allowedOrigins());
    List<String> models = c.models() == null ? base.models() : models(c.models());
    List<String> aliases = c.modelAliases() == null ? base.modelAliases() : aliases(c.modelAliases());
    int maxConcurrent = c.maxConcurrent() == null ? base.maxConcurrent() : inRange(InstanceField.MAX_CONCURRENT, c.maxConcurrent());
    int queueSize = c.queueSize() == null ? base.queueSize() : inRange(InstanceField.QUEUE_SIZE, c.queueSize());
    int queueTimeout = c.queueTimeoutMs() == null ? base.queueTimeoutMs() : inRange(InstanceField.QUEUE_TIMEOUT, c.queueTimeoutMs());
    boolean sharedMode = or(c.sharedMode(), base.sharedMode());
    if (sharedMode && (apiKey == null || apiKey.isEmpty())) {
      throw new InvalidInput(InstanceField.UPSTREAM_API_KEY.key(), "shared_mode needs an upstream_api_key");
    }
    return new Instance(base.id(), name, host, port, upstreamUrl, dialect, weight, role, maxFails, failTimeout,
        or(c.cacheEnabled(), base.cacheEnabled()), cacheDir, sharedMode, apiKey, clientKeys, rateLimit,
        or(c.thinkFilter(), base.thinkFilter()), or(c.enabled(), base.enabled()), or(c.managed(), base.managed()),
        origins, models, aliases, maxConcurrent, queueSize, queueTimeout, base.version(), base.createdAt(),
        base.updatedAt());
  }

  private static boolean or(Boolean given, boolean current) {
    return given == null ? current : given;
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

  private static String host(String value) {
    if (!HostPort.isHost(value)) {
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
