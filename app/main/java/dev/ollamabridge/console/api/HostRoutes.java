package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.hosts.HostService;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.link.HostFacts;
import dev.ollamabridge.link.Report;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Thin handlers of {@code /api/v1/hosts}: the machines bridges run on, adding one, revoking one. */
final class HostRoutes {

  private static final Set<String> ADD_FIELDS = Set.of("name");
  private static final Set<String> PATCH_FIELDS = Set.of("edge", "edge_listen");

  private final HostService hosts;
  private final InstanceService instances;
  private final JsonBodies bodies;

  HostRoutes(HostService hosts, InstanceService instances, JsonBodies bodies) {
    this.hosts = hosts;
    this.instances = instances;
    this.bodies = bodies;
  }

  void list(Context ctx) {
    Map<String, Long> bridges = bridgesByHost(instances.list());
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    hosts.list().forEach(view -> all.add(json(view, bridges)));
    ctx.json(all);
  }

  void get(Context ctx) {
    ctx.json(json(hosts.view(ctx.pathParam("name")), bridgesByHost(instances.list())));
  }

  /** A join token for a new host, and the command to run there: the token is shown this once. */
  void add(Context ctx) {
    ObjectNode body = bodies.object(ctx, false);
    body.fieldNames().forEachRemaining(field -> {
      if (!ADD_FIELDS.contains(field)) {
        throw new InvalidInput(field, field + " is not a field of a new host: send {\"name\": \"gpu-1\"}");
      }
    });
    JsonNode name = body.get("name");
    if (name == null || !name.isTextual()) {
      throw new InvalidInput("name", "name is required: the name the host will have, e.g. gpu-1");
    }
    HostService.Added added = hosts.add(name.asText(), ConsoleApi.actor(ctx));
    ctx.status(201).header("Location", "/api/v1/hosts/" + added.host()).json(JsonNodeFactory.instance.objectNode()
        .put("name", added.host()).put("token", added.token()).put("expires_at", added.expiresAt().toString())
        .put("ca_sha256", added.fingerprint()).put("command", added.command()));
  }

  /**
   * The host's edge role: {@code {"edge": true, "edge_listen": "198.18.0.2"}}; an absent or null
   * edge_listen is every address of the host, an absent edge keeps the role it has.
   */
  void update(Context ctx) {
    String name = ctx.pathParam("name");
    ObjectNode body = bodies.object(ctx, false);
    body.fieldNames().forEachRemaining(field -> {
      if (!PATCH_FIELDS.contains(field)) {
        throw new InvalidInput(field, field + " is not a field a host's change takes: edge and edge_listen");
      }
    });
    JsonNode edge = body.get("edge");
    if (edge != null && !edge.isBoolean()) {
      throw new InvalidInput("edge", "edge must be true or false");
    }
    JsonNode listen = body.get("edge_listen");
    if (listen != null && !listen.isNull() && !listen.isTextual()) {
      throw new InvalidInput("edge_listen", "edge_listen must be a string (an IP address or a host name) or null");
    }
    boolean role = edge != null ? edge.asBoolean() : hosts.view(name).host().edge();
    hosts.edge(name, role, listen == null || listen.isNull() ? null : listen.asText(), ConsoleApi.actor(ctx));
    get(ctx);
  }

  void revoke(Context ctx) {
    hosts.revoke(ctx.pathParam("name"), ConsoleApi.actor(ctx));
    ctx.status(204);
  }

  void supervisorConf(Context ctx) {
    ctx.contentType("text/plain; charset=utf-8").result(hosts.supervisorConf(ctx.pathParam("name")));
  }

  void pendingJoins(Context ctx) {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    hosts.pendingJoins().forEach(token -> all.addObject().put("id", token.id()).put("host", token.host())
        .put("created_by", token.createdBy()).put("created_at", token.createdAt().toString())
        .put("expires_at", token.expiresAt().toString()));
    ctx.json(all);
  }

  void revokeToken(Context ctx) {
    hosts.revokeToken(ctx.pathParam("id"), ConsoleApi.actor(ctx));
    ctx.status(204);
  }

  static Map<String, Long> bridgesByHost(List<Instance> all) {
    return all.stream().collect(Collectors.groupingBy(Instance::host, Collectors.counting()));
  }

  static ObjectNode json(HostService.HostView view, Map<String, Long> bridges) {
    var host = view.host();
    ObjectNode json = JsonNodeFactory.instance.objectNode()
        .put("name", host.name()).put("advertise", host.advertise()).put("state", host.state().word())
        .put("local", host.local()).put("connected", view.connected())
        .put("joined_at", String.valueOf(host.joinedAt())).put("state_since", String.valueOf(host.changedAt()))
        .put("last_report_at", view.lastSeen() == null ? null : view.lastSeen().toString())
        .put("version", host.version()).put("bridges", bridges.getOrDefault(host.name(), 0L))
        .put("edge", host.edge()).put("edge_listen", host.edgeListen())
        .put("desired_revision", host.desiredRevision()).put("link_bytes_received", view.linkBytes());
    Report report = view.report();
    json.put("applied_revision", report != null ? report.applied() : host.appliedRevision());
    json.put("apply_error", report == null ? null : report.applyError());
    json.put("certificate_expires_at", host.certExpiresAt() == null ? null : host.certExpiresAt().toString());
    HostFacts facts = report != null ? report.facts() : host.facts();
    if (facts != null) {
      json.putObject("resources").put("jdk", facts.jdk()).put("cores", facts.cores())
          .put("memory_bytes", facts.memoryBytes()).put("memory_available_bytes", facts.memoryAvailableBytes())
          .put("disk_free_bytes", facts.diskFreeBytes());
    }
    if (report != null) {
      ArrayNode processes = json.putArray("processes");
      report.programs().forEach(p -> processes.addObject().put("name", p.name()).put("state", p.state())
          .put("pid", p.pid()).put("restarts", p.restarts()).put("message", p.message()));
    }
    return json;
  }
}
