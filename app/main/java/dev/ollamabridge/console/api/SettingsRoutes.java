package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import io.javalin.http.Context;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET/PATCH /api/v1/settings}: every setting with its value; a PATCH checks all before storing any. */
final class SettingsRoutes {

  private SettingsRoutes() {}

  static void get(Context ctx, Settings settings) {
    Map<String, String> out = new LinkedHashMap<>();
    settings.all().forEach((setting, value) -> out.put(setting.key(), value));
    ctx.json(out);
  }

  static void patch(Context ctx, Settings settings, EventLog events) {
    ObjectNode body = InstanceRoutes.body(ctx, false);
    Map<Setting, String> changes = new EnumMap<>(Setting.class);
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      Setting setting = Setting.byKey(field.getKey())
          .orElseThrow(() -> new InvalidInput(field.getKey(), "'" + field.getKey() + "' is not a setting"));
      JsonNode value = field.getValue();
      if (!value.isValueNode() || value.isNull()) {
        throw new InvalidInput(setting.key(), setting.key() + " must be a string or a number");
      }
      try {
        changes.put(setting, setting.check(value.asText()));
      } catch (IllegalArgumentException e) {
        throw new InvalidInput(setting.key(), setting.key() + " " + e.getMessage());
      }
    }
    settings.putAll(changes);
    changes.forEach((setting, value) -> events.record(ConsoleApi.actor(ctx), "settings.update", setting.key(), value));
    get(ctx, settings);
  }
}
