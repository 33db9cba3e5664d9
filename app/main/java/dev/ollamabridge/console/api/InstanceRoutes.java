package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.instances.BridgeArchive;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.InstanceView;
import dev.ollamabridge.console.jdk.BridgeJava;
import dev.ollamabridge.console.metrics.BridgeScraper;
import dev.ollamabridge.console.metrics.ClusterTotals;
import dev.ollamabridge.console.metrics.NginxAnswers;
import io.javalin.http.Context;
import java.util.List;

/** Thin handlers of {@code /api/v1/instances}: parse, call the service, answer. */
final class InstanceRoutes {

  private static final List<String> STATUS_FIELDS =
      List.of("id", "name", "host", "listen_host", "port", "weight", "role", "enabled", "managed", "draining", "process", "health");

  private final InstanceService instances;
  private final JsonBodies bodies;
  private final BridgeJava bridgeJava;
  private final BridgeScraper scraper;

  InstanceRoutes(InstanceService instances, JsonBodies bodies, BridgeJava bridgeJava, BridgeScraper scraper) {
    this.instances = instances;
    this.bodies = bodies;
    this.bridgeJava = bridgeJava;
    this.scraper = scraper;
  }

  void list(Context ctx) {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    instances.overview().forEach(view -> all.add(InstanceJson.view(view)));
    ctx.json(all);
  }

  void get(Context ctx) {
    ctx.json(InstanceJson.view(instances.view(id(ctx))));
  }

  void create(Context ctx) {
    long id = instances.create(InstanceJson.changes(bodies.object(ctx, true)), ConsoleApi.actor(ctx)).id();
    ctx.status(201).header("Location", "/api/v1/instances/" + id).json(InstanceJson.view(instances.view(id)));
  }

  void update(Context ctx) {
    long id = id(ctx);
    instances.update(id, InstanceJson.changes(bodies.object(ctx, false)), ConsoleApi.actor(ctx));
    ctx.json(InstanceJson.view(instances.view(id)));
  }

  void delete(Context ctx) {
    Long version = ctx.queryParamAsClass("version", Long.class).getOrNull();
    instances.delete(id(ctx), version, ConsoleApi.actor(ctx));
    ctx.status(204);
  }

  void start(Context ctx) {
    ctx.json(InstanceJson.process(instances.start(id(ctx), ConsoleApi.actor(ctx))));
  }

  void stop(Context ctx) {
    ctx.json(InstanceJson.process(instances.stop(id(ctx), ConsoleApi.actor(ctx))));
  }

  void restart(Context ctx) {
    ctx.json(InstanceJson.process(instances.restart(id(ctx), ConsoleApi.actor(ctx))));
  }

  void health(Context ctx) {
    long id = id(ctx);
    ctx.json(InstanceJson.health(instances.health(id)).put("state", instances.view(id).healthWord()));
  }

  void logs(Context ctx) {
    int tail = QueryParams.integer(ctx, "tail", 100, 1, 10_000);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode lines = out.putArray("lines");
    instances.logs(id(ctx), tail).forEach(lines::add);
    ctx.json(out);
  }

  /**
   * Every instance with its process and health state, the java bridges are launched on, and their
   * class-data archive, in one call.
   */
  void status(Context ctx) {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    List<InstanceView> overview = instances.overview();
    for (InstanceView view : overview) {
      ObjectNode full = InstanceJson.view(view);
      ObjectNode brief = all.addObject();
      STATUS_FIELDS.stream().filter(full::has).forEach(field -> brief.set(field, full.get(field)));
    }
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.set("instances", all);
    status.putObject("bridge_java")
        .put("setting", bridgeJava.setting())
        .put("path", bridgeJava.executable())
        .put("version", bridgeJava.jdk().version())
        .put("feature", bridgeJava.jdk().feature())
        .put("reason", bridgeJava.reason());
    BridgeArchive.Status archive = instances.archive();
    status.putObject("bridge_archive")
        .put("state", archive.state())
        .put("reason", archive.reason())
        .put("attempts", archive.attempts())
        .put("since", archive.since() == null ? null : archive.since().toString())
        .put("next_attempt", archive.nextAttempt() == null ? null : archive.nextAttempt().toString())
        .put("file", archive.file());
    ClusterTotals traffic = ClusterTotals.of(overview.stream().map(InstanceView::figures).toList(), scraper.nginx());
    status.putObject("totals").put("requests_per_second", traffic.requestsPerSecond())
        .put("errors_per_second", traffic.errorsPerSecond());
    scraper.nginx().ifPresent(nginx -> {
      ObjectNode answers = status.putObject("nginx_answers");
      NginxAnswers.Totals totals = nginx.totals();
      answers.put("answers_total", totals.answers()).put("errors_total", totals.errors());
      if (traffic.nginx() != null) {
        answers.put("answers_per_second", traffic.nginx().answersPerSecond())
            .put("errors_per_second", traffic.nginx().errorsPerSecond());
      }
    });
    ctx.json(status);
  }

  static long id(Context ctx) {
    return ctx.pathParamAsClass("id", Long.class).get();
  }
}
