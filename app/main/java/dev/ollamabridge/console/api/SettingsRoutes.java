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

/**
 * {@code GET/PATCH /api/v1/settings}: every setting with its value. A PATCH checks every value,
 * then the files it would render, before it stores any; then the listener acts on the change.
 */
public final class SettingsRoutes {

  /** Told of settings: may refuse them before they are stored, and acts once they are. */
  public interface Listener {
    void check(Map<Setting, String> wouldBe);

    java.util.concurrent.CompletableFuture<?> changed(String actor);
  }

  private final Settings settings;
  private final EventLog events;
  private final Listener listener;

  SettingsRoutes(Settings settings, EventLog events, Listener listener) {
    this.settings = settings;
    this.events = events;
    this.listener = listener;
  }

  void get(Context ctx) {
    Map<String, String> out = new LinkedHashMap<>();
    settings.all().forEach((setting, value) -> out.put(setting.key(), value));
    ctx.json(out);
  }

  void patch(Context ctx) {
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
    Map<Setting, String> wouldBe = new EnumMap<>(settings.all());
    wouldBe.putAll(changes);
    listener.check(wouldBe);
    settings.putAll(changes);
    changes.forEach((setting, value) -> events.record(ConsoleApi.actor(ctx), "settings.update", setting.key(), value));
    listener.changed(ConsoleApi.actor(ctx));
    get(ctx);
  }
}
