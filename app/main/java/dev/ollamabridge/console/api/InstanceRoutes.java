package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.health.HealthChecker;
import dev.ollamabridge.console.health.HealthState;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.InstanceView;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.supervise.ProgramStatus;
import dev.ollamabridge.console.supervise.Supervisor;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Thin handlers of {@code /api/v1/instances}: parse, call the service, answer. */
final class InstanceRoutes {

  /** A key given twice is refused, not "last one wins": the user meant one of them, and we cannot tell which. */
  private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

  private final InstanceService instances;
  private final Supervisor supervisor;
  private final HealthChecker health;

  InstanceRoutes(InstanceService instances, Supervisor supervisor, HealthChecker health) {
    this.instances = instances;
    this.supervisor = supervisor;
    this.health = health;
  }

  void list(Context ctx) {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    instances.list().forEach(instance -> all.add(view(instance)));
    ctx.json(all);
  }

  void get(Context ctx) {
    ctx.json(view(instances.get(id(ctx))));
  }

  void create(Context ctx) {
    Instance created = instances.create(body(ctx, true), ConsoleApi.actor(ctx));
    ctx.status(201).header("Location", "/api/v1/instances/" + created.id()).json(view(created));
  }

  void update(Context ctx) {
    ctx.json(view(instances.update(id(ctx), body(ctx, false), ConsoleApi.actor(ctx))));
  }

  void delete(Context ctx) {
    String version = ctx.queryParam("version");
    Long parsed = null;
    if (version != null) {
      try {
        parsed = Long.parseLong(version);
      } catch (NumberFormatException e) {
        throw new InvalidInput("version", "version must be a number");
      }
    }
    instances.delete(id(ctx), parsed, ConsoleApi.actor(ctx));
    ctx.status(204);
  }

  void start(Context ctx) {
    ctx.json(InstanceView.processJson(instances.start(id(ctx), ConsoleApi.actor(ctx))));
  }

  void stop(Context ctx) {
    ctx.json(InstanceView.processJson(instances.stop(id(ctx), ConsoleApi.actor(ctx))));
  }

  void restart(Context ctx) {
    ctx.json(InstanceView.processJson(instances.restart(id(ctx), ConsoleApi.actor(ctx))));
  }

  void health(Context ctx) {
    Instance instance = instances.get(id(ctx));
    ObjectNode view = InstanceView.of(instance, null, health.state(instance.id()).orElse(HealthState.NEW), false).toJson();
    ctx.json(view.get("health"));
  }

  void logs(Context ctx) {
    int tail = intQuery(ctx, "tail", 100, 1, 10_000);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode lines = out.putArray("lines");
    instances.logs(id(ctx), tail).forEach(lines::add);
    ctx.json(out);
  }

  /** Every instance with its process and health state, in one call. */
  void status(Context ctx) {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    for (Instance instance : instances.list()) {
      ObjectNode view = view(instance);
      ObjectNode brief = JsonNodeFactory.instance.objectNode();
      for (String field : new String[] {"id", "name", "host", "port", "weight", "role", "enabled", "managed", "draining", "process", "health"}) {
        if (view.has(field)) {
          brief.set(field, view.get(field));
        }
      }
      all.add(brief);
    }
    ctx.json(JsonNodeFactory.instance.objectNode().set("instances", all));
  }

  private ObjectNode view(Instance instance) {
    ProgramStatus process = instance.managed() ? supervisor.status(instance.name()).orElse(null) : null;
    HealthState state = instance.enabled() ? health.state(instance.id()).orElse(HealthState.NEW) : null;
    return InstanceView.of(instance, process, state, instances.isDraining(instance.id())).toJson();
  }

  private static long id(Context ctx) {
    try {
      return Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw new InvalidInput("id", "id must be a number, not '" + ctx.pathParam("id") + "'");
    }
  }

  private static int intQuery(Context ctx, String name, int fallback, int min, int max) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      int number = Integer.parseInt(value);
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the message
    }
    throw new InvalidInput(name, name + " must be an integer from " + min + " to " + max);
  }

  /** The JSON object of the body; an empty body is an empty object where that is allowed (POST). */
  static ObjectNode body(Context ctx, boolean emptyAllowed) {
    String text = ctx.body();
    if (text.isBlank() && emptyAllowed) {
      return JsonNodeFactory.instance.objectNode();
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (IOException e) {
      Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getMessage()));
      if (duplicate.find()) {
        throw new InvalidInput(duplicate.group(1), duplicate.group(1) + " appears more than once in the body: send it once");
      }
      throw new InvalidInput(null, "the body is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidInput(null, "the body must be a JSON object");
    }
    return (ObjectNode) node;
  }
}
