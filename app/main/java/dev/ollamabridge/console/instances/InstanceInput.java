package dev.ollamabridge.console.instances;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.BrowserOrigins;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the fields of a POST or PATCH body onto an instance, checking each against a strict rule
 * first: whatever passes here may later be written into a command line or an nginx config.
 */
public final class InstanceInput {

  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern ORIGIN = Pattern.compile("\\*|[a-z][a-z0-9+.-]{0,15}://[a-z0-9.\\[\\]:-]{1,260}");
  private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._/-]{1,255}");
  private static final Set<String> READ_ONLY = Set.of("id", "created_at", "updated_at", "version", "process", "health");

  private InstanceInput() {}

  /** The instance with every field of {@code body} applied, each checked; unknown fields are refused. */
  public static Instance apply(Instance base, ObjectNode body) {
    Fields f = new Fields(base);
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      String name = field.getKey();
      JsonNode value = field.getValue();
      switch (name) {
        case "name" -> f.name = text(name, value, NAME, "lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters");
        case "host" -> f.host = host(value);
        case "port" -> f.port = integer(name, value, 1, 65535);
        case "upstream_url" -> f.upstreamUrl = upstream(value);
        case "upstream_dialect" -> f.upstreamDialect = oneOf(name, value, "auto", "ollama", "openai");
        case "weight" -> f.weight = integer(name, value, 1, 100);
        case "role" -> f.role = oneOf(name, value, "primary", "backup");
        case "max_fails" -> f.maxFails = integer(name, value, 0, 100);
        case "fail_timeout" -> f.failTimeoutSeconds = integer(name, value, 1, 3600);
        case "cache_enabled" -> f.cacheEnabled = bool(name, value);
        case "cache_dir" -> f.cacheDir = text(name, value, PATH, "a path of letters, digits, '.', '_', '-' and '/' (at most 255)");
        case "shared_mode" -> f.sharedMode = bool(name, value);
        case "upstream_api_key" -> f.upstreamApiKey = value.isNull() ? null : secret(name, value, name + " must be " + BridgeSecrets.RULE);
        case "client_keys" -> f.clientKeys = keys(value);
        case "rate_limit" -> f.rateLimit = integer(name, value, 0, 100_000);
        case "think_filter" -> f.thinkFilter = bool(name, value);
        case "enabled" -> f.enabled = bool(name, value);
        case "managed" -> f.managed = bool(name, value);
        case "allowed_origins" -> f.allowedOrigins = origins(value);
        default -> {
          if (!READ_ONLY.contains(name)) {
            throw new InvalidInput(name, "'" + name + "' is not a field of an instance");
          }
        }
      }
    }
    if (f.sharedMode && (f.upstreamApiKey == null || f.upstreamApiKey.isEmpty())) {
      throw new InvalidInput("upstream_api_key", "shared_mode needs an upstream_api_key");
    }
    return f.build();
  }

  private static String text(String field, JsonNode value, Pattern rule, String ruleText) {
    if (!value.isTextual() || !rule.matcher(value.asText()).matches()) {
      throw new InvalidInput(field, field + " must be " + ruleText);
    }
    return value.asText();
  }

  private static String secret(String field, JsonNode value, String message) {
    if (!value.isTextual() || !BridgeSecrets.check(value.asText())) {
      throw new InvalidInput(field, message);
    }
    return value.asText();
  }

  private static String host(JsonNode value) {
    if (!value.isTextual() || !HostPort.isHost(value.asText())) {
      throw new InvalidInput("host", "host must be a host name or an IP address, e.g. 127.0.0.1 or ::1 (IPv6 without brackets)");
    }
    return value.asText();
  }

  /** The same rule as the default_upstream setting's, so the two never disagree. */
  private static String upstream(JsonNode value) {
    if (!value.isTextual()) {
      throw new InvalidInput("upstream_url", "upstream_url must be an http:// or https:// URL");
    }
    try {
      return Setting.DEFAULT_UPSTREAM.check(value.asText());
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("upstream_url", "upstream_url " + e.getMessage());
    }
  }

  /** A whole number in range; one too large for a long is refused, not wrapped around. */
  private static int integer(String field, JsonNode value, int min, int max) {
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
      throw new InvalidInput(field, field + " must be an integer from " + min + " to " + max);
    }
    return value.asInt();
  }

  private static boolean bool(String field, JsonNode value) {
    if (!value.isBoolean()) {
      throw new InvalidInput(field, field + " must be true or false");
    }
    return value.asBoolean();
  }

  private static String oneOf(String field, JsonNode value, String... allowed) {
    if (value.isTextual() && List.of(allowed).contains(value.asText())) {
      return value.asText();
    }
    throw new InvalidInput(field, field + " must be one of " + String.join(", ", allowed));
  }

  private static List<String> keys(JsonNode value) {
    if (!value.isArray() || value.size() > 32) {
      throw new InvalidInput("client_keys", "client_keys must be an array of at most 32 keys");
    }
    List<String> keys = new ArrayList<>();
    for (JsonNode key : value) {
      keys.add(secret("client_keys", key, "client_keys must be an array of keys, each " + BridgeSecrets.RULE));
    }
    return keys;
  }

  /**
   * Browser origins as the bridge's {@code --allowed-origin} takes them ({@code *}, or scheme, host
   * and port), stored in their normal form so nothing else reaches a command line.
   */
  private static List<String> origins(JsonNode value) {
    String rule = "allowed_origins must be an array of at most 16 origins such as https://app.example.com or *";
    if (!value.isArray() || value.size() > 16) {
      throw new InvalidInput("allowed_origins", rule);
    }
    List<String> origins = new ArrayList<>();
    for (JsonNode origin : value) {
      String normal = origin.isTextual() ? BrowserOrigins.normalForm(origin.asText()) : null;
      if (normal == null || !ORIGIN.matcher(normal).matches()) {
        throw new InvalidInput("allowed_origins", rule);
      }
      origins.add(normal);
    }
    return origins;
  }

  /** The instance's fields while a body is applied to them. */
  private static final class Fields {
    private final Instance base;
    String name;
    String host;
    int port;
    String upstreamUrl;
    String upstreamDialect;
    int weight;
    String role;
    int maxFails;
    int failTimeoutSeconds;
    boolean cacheEnabled;
    String cacheDir;
    boolean sharedMode;
    String upstreamApiKey;
    List<String> clientKeys;
    List<String> allowedOrigins;
    int rateLimit;
    boolean thinkFilter;
    boolean enabled;
    boolean managed;

    Fields(Instance base) {
      this.base = base;
      name = base.name();
      host = base.host();
      port = base.port();
      upstreamUrl = base.upstreamUrl();
      upstreamDialect = base.upstreamDialect();
      weight = base.weight();
      role = base.role();
      maxFails = base.maxFails();
      failTimeoutSeconds = base.failTimeoutSeconds();
      cacheEnabled = base.cacheEnabled();
      cacheDir = base.cacheDir();
      sharedMode = base.sharedMode();
      upstreamApiKey = base.upstreamApiKey();
      clientKeys = base.clientKeys();
      allowedOrigins = base.allowedOrigins();
      rateLimit = base.rateLimit();
      thinkFilter = base.thinkFilter();
      enabled = base.enabled();
      managed = base.managed();
    }

    Instance build() {
      return new Instance(base.id(), name, host, port, upstreamUrl, upstreamDialect, weight, role, maxFails,
          failTimeoutSeconds, cacheEnabled, cacheDir, sharedMode, upstreamApiKey, clientKeys, rateLimit,
          thinkFilter, enabled, managed, allowedOrigins, base.version(), base.createdAt(), base.updatedAt());
    }
  }
}
