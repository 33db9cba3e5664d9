package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.cache.SharedCache;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.SettingsService;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET/PATCH /api/v1/settings}: every setting with its value; a PATCH changes some, all or none.
 * {@code GET /api/v1/cache}: where the shared Redis the settings name stands.
 */
final class SettingsRoutes {

  private final SettingsService settings;
  private final SharedCache cache;
  private final JsonBodies bodies;

  SettingsRoutes(SettingsService settings, SharedCache cache, JsonBodies bodies) {
    this.settings = settings;
    this.cache = cache;
    this.bodies = bodies;
  }

  void cache(Context ctx) {
    SharedCache.Status status = cache.status();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", status.source());
    out.put("state", status.redis().state());
    out.put("url", status.redis().url());
    out.put("error", status.redis().error());
    out.put("checked_at", status.redis().at() == null ? null : status.redis().at().toString());
    Map<String, Object> managed = null;
    if (status.managed() != null) {
      managed = new LinkedHashMap<>();
      managed.put("state", status.managed().state().name());
      managed.put("pid", status.managed().pid());
    }
    out.put("managed", managed);
    ctx.json(out);
  }

  void get(Context ctx) {
    ctx.json(json(settings.all()));
  }

  void patch(Context ctx) {
    ObjectNode body = bodies.object(ctx, false);
    Map<String, String> changes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      JsonNode value = field.getValue();
      // an object, an array or null is no setting's value; the service says so, after what matters more
      changes.put(field.getKey(), value.isValueNode() && !value.isNull() ? value.asText() : null);
    }
    ctx.json(json(settings.update(changes, ConsoleApi.actor(ctx))));
  }

  private static Map<String, String> json(Map<Setting, String> values) {
    Map<String, String> out = new LinkedHashMap<>();
    values.forEach((setting, value) -> out.put(setting.key(), value));
    return out;
  }
}
