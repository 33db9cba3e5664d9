package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.health.HealthState;
import dev.ollamabridge.console.instances.BridgeSecrets;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceChanges;
import dev.ollamabridge.console.instances.InstanceField;
import dev.ollamabridge.console.instances.InstanceView;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.metrics.Figures;
import dev.ollamabridge.console.supervise.ProgramStatus;
import dev.ollamabridge.console.validation.Violation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Instances in the API's JSON: a body read into an {@link InstanceChanges}, a view written with its secrets masked. */
final class InstanceJson {

  /** Fields the API shows but nobody sets: a body read back from a GET may carry them. */
  private static final Set<String> READ_ONLY = Set.of("id", "created_at", "updated_at", "version", "process", "health",
      "draining");

  private InstanceJson() {}

  /**
   * The changes a body asks for, each value in its field's type (a JSON {@code "3"} is not a number);
   * unknown fields and values of another type are carried as unreadable, refused with every other broken rule.
   */
  static InstanceChanges changes(ObjectNode body) {
    Map<InstanceField, Object> values = new EnumMap<>(InstanceField.class);
    List<Violation> unreadable = new ArrayList<>();
    for (Map.Entry<String, JsonNode> property : body.properties()) {
      Optional<InstanceField> field = InstanceField.byKey(property.getKey());
      if (field.isPresent()) {
        try {
          values.put(field.get(), value(field.get(), property.getValue()));
        } catch (InvalidInput e) {
          unreadable.addAll(e.violations());
        }
      } else if (!READ_ONLY.contains(property.getKey())) {
        unreadable.add(new Violation(property.getKey(), "'" + property.getKey() + "' is not a field of an instance"));
      }
    }
    JsonNode version = body.get("version");
    boolean versioned = version != null && version.isIntegralNumber() && version.canConvertToLong();
    return InstanceChanges.of(values, versioned ? version.asLong() : null, unreadable);
  }

  private static Object value(InstanceField field, JsonNode value) {
    return switch (field.kind()) {
      case TEXT -> {
        require(field, value.isTextual());
        yield value.asText();
      }
      case INTEGER -> {
        require(field, value.isIntegralNumber() && value.canConvertToInt());
        yield value.asInt();
      }
      case BOOLEAN -> {
        require(field, value.isBoolean());
        yield value.asBoolean();
      }
      case SECRET -> {
        require(field, value.isNull() || value.isTextual());
        yield value.isNull() ? Optional.<String>empty() : Optional.of(value.asText());
      }
      case LIST -> {
        require(field, value.isArray());
        List<String> items = new ArrayList<>();
        for (JsonNode item : value) {
          require(field, item.isTextual());
          items.add(item.asText());
        }
        yield items;
      }
    };
  }

  private static void require(InstanceField field, boolean holds) {
    if (!holds) {
      throw field.invalid();
    }
  }

  static ObjectNode view(InstanceView view) {
    Instance i = view.instance();
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("id", i.id()).put("name", i.name()).put("host", i.host()).put("listen_host", i.listenHost())
        .put("port", i.port())
        .put("upstream_url", i.upstreamUrl()).put("upstream_dialect", i.upstreamDialect())
        .put("weight", i.weight()).put("role", i.role()).put("max_fails", i.maxFails())
        .put("fail_timeout", i.failTimeoutSeconds()).put("cache_enabled", i.cacheEnabled())
        .put("cache_dir", i.cacheDir()).put("shared_mode", i.sharedMode())
        .put("upstream_api_key", BridgeSecrets.mask(i.upstreamApiKey()))
        .put("rate_limit", i.rateLimit()).put("think_filter", i.thinkFilter())
        .put("enabled", i.enabled()).put("managed", i.managed()).put("version", i.version())
        .put("created_at", String.valueOf(i.createdAt())).put("updated_at", String.valueOf(i.updatedAt()));
    ArrayNode keys = json.putArray("client_keys");
    i.clientKeys().forEach(key -> keys.add(BridgeSecrets.mask(key)));
    ArrayNode origins = json.putArray("allowed_origins");
    i.allowedOrigins().forEach(origins::add);
    ArrayNode models = json.putArray("models");
    i.models().forEach(models::add);
    ArrayNode aliases = json.putArray("model_aliases");
    i.modelAliases().forEach(aliases::add);
    json.put("max_concurrent", i.maxConcurrent()).put("queue_size", i.queueSize()).put("queue_timeout_ms", i.queueTimeoutMs());
    json.put("log_bodies", i.logBodies());
    json.put("draining", view.draining());
    if (view.process() != null) {
      json.set("process", process(view.process()));
    }
    if (view.health() != null) {
      json.set("health", health(view.health()).put("state", view.healthWord()));
    }
    if (view.figures() != null) {
      json.set("figures", figures(view.figures()));
    }
    return json;
  }

  static ObjectNode figures(Figures f) {
    return JsonNodeFactory.instance.objectNode().put("at", f.at().toString())
        .put("requests_per_second", f.requestsPerSecond()).put("errors_per_second", f.errorsPerSecond())
        .put("latency_p50_ms", f.latencyP50Ms()).put("latency_p95_ms", f.latencyP95Ms())
        .put("first_token_p50_ms", f.firstTokenP50Ms()).put("cache_hit_ratio", f.cacheHitRatio())
        .put("completion_tokens_per_second", f.completionTokensPerSecond()).put("in_flight", f.inFlight())
        .put("queued", f.queued()).put("refused_per_second", f.refusedPerSecond());
  }

  static ObjectNode health(HealthState health) {
    ObjectNode json = JsonNodeFactory.instance.objectNode().put("healthy", health.healthy())
        .put("passes", health.passes()).put("failures", health.failures())
        .put("last_check", health.lastCheck() == null ? null : health.lastCheck().toString())
        .put("last_status", health.lastStatus()).put("latency_ms", health.latencyMillis());
    json.put("last_error", health.lastError());
    return json;
  }

  /** A process's state as the API shows it, in an instance and in the answers of start, stop and restart. */
  static ObjectNode process(ProgramStatus process) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("name", process.name()).put("state", process.state().name()).put("pid", process.pid())
        .put("since", String.valueOf(process.since())).put("restarts", process.restarts())
        .put("exit_code", process.lastExitCode()).put("message", process.message());
    return json;
  }
}
