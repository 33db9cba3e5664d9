package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.nginx.NginxFailure;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.console.settings.SettingsListener;
import io.javalin.http.Context;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET/PATCH /api/v1/settings}: every setting with its value. A PATCH checks every value,
 * then the files it would render, before it stores any; then the listener acts on the change.
 * Operator settings are shown but refused: only the console's command line or environment sets them.
 */
public final class SettingsRoutes {

  private final Settings settings;
  private final EventLog events;
  private final SettingsListener listener;

  SettingsRoutes(Settings settings, EventLog events, SettingsListener listener) {
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
      if (setting.operator()) {
        throw new InvalidInput(setting.key(), setting.key() + " is operator configuration, read-only here: set it with "
            + setting.whereSet() + " when the console starts");
      }
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
    Map<Setting, String> before = new EnumMap<>(settings.all());
    Map<Setting, String> wouldBe = new EnumMap<>(before);
    wouldBe.putAll(changes);
    listener.check(wouldBe);
    settings.putAll(changes);
    changes.forEach((setting, value) -> events.record(ConsoleApi.actor(ctx), "settings.update", setting.key(), value));
    try {
      listener.changed(ConsoleApi.actor(ctx)).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof NginxFailure failure) {
        // nginx refused what these settings render: they do not stay
        Map<Setting, String> previous = new EnumMap<>(Setting.class);
        changes.keySet().forEach(setting -> previous.put(setting, before.get(setting)));
        settings.putAll(previous);
        events.record(ConsoleApi.actor(ctx), "settings.revert", String.join(",", changes.keySet().stream().map(Setting::key).toList()),
            "nginx revision " + failure.revision().id() + " was " + failure.revision().result());
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("error", "the settings were not kept: " + failure.getMessage()).put("status", 422);
        answer.set("revision", NginxRoutes.json(failure.revision()));
        ctx.status(422).json(answer);
        return;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      // the apply goes on; its outcome will be a revision and an event
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    get(ctx);
  }
}
