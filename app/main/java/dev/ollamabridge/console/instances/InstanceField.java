package dev.ollamabridge.console.instances;

import java.util.Arrays;
import java.util.Optional;

/**
 * The fields a user may set on an instance, each with the shape its value takes and the rule it
 * must follow, worded once: the REST API and the web form convert their input by these kinds and
 * both refuse a value with the same message.
 */
public enum InstanceField {
  NAME("name", Kind.TEXT, "lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters"),
  /** The machine the bridge runs on: {@code local}, or a host that joined (the Hosts page). */
  HOST("host", Kind.TEXT, "the name of a host: local, or one on the Hosts page"),
  LISTEN_HOST("listen_host", Kind.TEXT, "a host name or an IP address, e.g. 127.0.0.1 or ::1 (IPv6 without brackets)"),
  PORT("port", 1, 65535),
  UPSTREAM_URL("upstream_url", Kind.TEXT, "an http:// or https:// URL"),
  UPSTREAM_DIALECT("upstream_dialect", Kind.TEXT, "one of auto, ollama, openai"),
  WEIGHT("weight", 1, 100),
  ROLE("role", Kind.TEXT, "one of primary, backup"),
  MAX_FAILS("max_fails", 0, 100),
  FAIL_TIMEOUT("fail_timeout", 1, 3600),
  CACHE_ENABLED("cache_enabled", Kind.BOOLEAN, "true or false"),
  CACHE_DIR("cache_dir", Kind.TEXT, "a path of letters, digits, '.', '_', '-' and '/' (at most 255)"),
  SHARED_MODE("shared_mode", Kind.BOOLEAN, "true or false"),
  UPSTREAM_API_KEY("upstream_api_key", Kind.SECRET, BridgeSecrets.RULE),
  CLIENT_KEYS("client_keys", Kind.LIST, "a list of at most 32 keys, each " + BridgeSecrets.RULE),
  /** The bridge's {@code --rate-limit}: a token bucket for the whole bridge, in requests per second. */
  RATE_LIMIT("rate_limit", 0, 100_000, "requests per second, 0 = no limit"),
  THINK_FILTER("think_filter", Kind.BOOLEAN, "true or false"),
  ENABLED("enabled", Kind.BOOLEAN, "true or false"),
  MANAGED("managed", Kind.BOOLEAN, "true or false"),
  ALLOWED_ORIGINS("allowed_origins", Kind.LIST, "a list of at most 16 origins such as https://app.example.com or *"),
  MODELS("models", Kind.LIST, "a list of at most 64 model names, each " + InstanceRules.MODEL_RULE),
  MODEL_ALIASES("model_aliases", Kind.LIST,
      "a list of at most 32 entries CLIENT=BACKEND, each CLIENT once, each name " + InstanceRules.MODEL_RULE),
  MAX_CONCURRENT("max_concurrent", 0, 10_000),
  QUEUE_SIZE("queue_size", 0, 10_000),
  QUEUE_TIMEOUT("queue_timeout_ms", 0, 600_000),
  /** The bridge's {@code --log-bodies}: prompts and answers written to its request log, on disk. Off by default. */
  LOG_BODIES("log_bodies", Kind.BOOLEAN, "true or false");

  /** How a value is written: a form sends all of them as text, JSON in their own types. */
  public enum Kind { TEXT, INTEGER, BOOLEAN, SECRET, LIST }

  private final String key;
  private final Kind kind;
  private final String rule;
  private final int min;
  private final int max;

  InstanceField(String key, Kind kind, String rule) {
    this.key = key;
    this.kind = kind;
    this.rule = rule;
    this.min = 0;
    this.max = 0;
  }

  InstanceField(String key, int min, int max) {
    this(key, min, max, null);
  }

  /** @param unit what the number counts, said in the rule, or null */
  InstanceField(String key, int min, int max, String unit) {
    this.key = key;
    this.kind = Kind.INTEGER;
    this.rule = "an integer from " + min + " to " + max + (unit == null ? "" : " (" + unit + ")");
    this.min = min;
    this.max = max;
  }

  public String key() {
    return key;
  }

  public Kind kind() {
    return kind;
  }

  int min() {
    return min;
  }

  int max() {
    return max;
  }

  /** The field's value in an instance, secrets in clear: callers showing it mask those. */
  public Object valueIn(Instance i) {
    return switch (this) {
      case NAME -> i.name();
      case HOST -> i.host();
      case LISTEN_HOST -> i.listenHost();
      case PORT -> i.port();
      case UPSTREAM_URL -> i.upstreamUrl();
      case UPSTREAM_DIALECT -> i.upstreamDialect();
      case WEIGHT -> i.weight();
      case ROLE -> i.role();
      case MAX_FAILS -> i.maxFails();
      case FAIL_TIMEOUT -> i.failTimeoutSeconds();
      case CACHE_ENABLED -> i.cacheEnabled();
      case CACHE_DIR -> i.cacheDir();
      case SHARED_MODE -> i.sharedMode();
      case UPSTREAM_API_KEY -> i.upstreamApiKey();
      case CLIENT_KEYS -> i.clientKeys();
      case RATE_LIMIT -> i.rateLimit();
      case THINK_FILTER -> i.thinkFilter();
      case ENABLED -> i.enabled();
      case MANAGED -> i.managed();
      case ALLOWED_ORIGINS -> i.allowedOrigins();
      case MODELS -> i.models();
      case MODEL_ALIASES -> i.modelAliases();
      case MAX_CONCURRENT -> i.maxConcurrent();
      case QUEUE_SIZE -> i.queueSize();
      case QUEUE_TIMEOUT -> i.queueTimeoutMs();
      case LOG_BODIES -> i.logBodies();
    };
  }

  /** Whether the field holds secrets, never shown back in full. */
  public boolean secret() {
    return this == UPSTREAM_API_KEY || this == CLIENT_KEYS;
  }

  /** The refusal of a value that breaks the rule, naming the field. */
  public InvalidInput invalid() {
    return new InvalidInput(key, key + " must be " + rule);
  }

  public static Optional<InstanceField> byKey(String key) {
    return Arrays.stream(values()).filter(field -> field.key.equals(key)).findFirst();
  }
}
