package dev.ollamabridge.console.instances;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.health.HealthState;
import dev.ollamabridge.console.supervise.ProgramStatus;

/**
 * An instance as the API shows it: its fields in snake_case with the secrets masked, and, when
 * known, the state of its process and of its health checks.
 */
public record InstanceView(Instance instance, ProgramStatus process, HealthState health, boolean draining) {

  public static InstanceView of(Instance instance, ProgramStatus process, HealthState health, boolean draining) {
    return new InstanceView(instance, process, health, draining);
  }

  public ObjectNode toJson() {
    Instance i = instance;
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("id", i.id()).put("name", i.name()).put("host", i.host()).put("port", i.port())
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
    json.put("draining", draining);
    if (process != null) {
      json.set("process", processJson(process));
    }
    if (health != null) {
      ObjectNode h = json.putObject("health").put("healthy", health.healthy())
          .put("passes", health.passes()).put("failures", health.failures())
          .put("last_check", health.lastCheck() == null ? null : health.lastCheck().toString())
          .put("last_status", health.lastStatus()).put("latency_ms", health.latencyMillis());
      h.put("last_error", health.lastError());
    }
    return json;
  }

  /** A process's state as the API shows it, here and in the answers of start, stop and restart. */
  public static ObjectNode processJson(ProgramStatus process) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("name", process.name()).put("state", process.state().name()).put("pid", process.pid())
        .put("since", String.valueOf(process.since())).put("restarts", process.restarts())
        .put("exit_code", process.lastExitCode()).put("message", process.message());
    return json;
  }
}
