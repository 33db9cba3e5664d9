package dev.ollamabridge.console.web;

import dev.ollamabridge.console.files.RenderException;
import dev.ollamabridge.console.nginx.NginxFailure;
import dev.ollamabridge.console.settings.InvalidSetting;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.SettingsNotKept;
import dev.ollamabridge.console.settings.SettingsService;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A settings form, both ways: the values and the refusal a template shows, and the adapter that
 * turns the posted fields into the same key-to-text changes the REST API's PATCH sends to
 * {@link SettingsService}. The settings page and the nginx page each show one, over their own settings.
 *
 * @param settings the settings this form edits, in the order shown
 * @param values each setting's text as the form shows it, by key
 * @param errors the refusal's message by setting key ({@code ""} for the change as a whole)
 * @param testOutput what {@code nginx -t} said when nginx refused the settings, or null
 */
public record SettingsForm(List<Setting> settings, Map<String, String> values, Map<String, String> errors,
    String testOutput) {

  /** The form of the settings as they are now; operator settings are never part of one. */
  static SettingsForm of(Map<Setting, String> current, List<Setting> settings) {
    List<Setting> editable = settings.stream().filter(setting -> !setting.operator()).toList();
    Map<String, String> values = new LinkedHashMap<>();
    editable.forEach(setting -> values.put(setting.key(), current.get(setting)));
    return new SettingsForm(editable, values, Map.of(), null);
  }

  /**
   * Stores what the posted form changed, only that, through the one service. Answers empty when it
   * was stored (or nothing changed); else sets the status and answers the form again, showing what
   * was posted with why it was refused, and nothing is stored.
   */
  static Optional<SettingsForm> save(Context ctx, SettingsService service, List<Setting> settings) {
    SettingsForm form = of(service.all(), settings);
    Map<String, String> posted = new LinkedHashMap<>();
    Map<String, String> changes = new LinkedHashMap<>();
    for (Setting setting : form.settings) {
      String text = ctx.formParam(setting.key());
      if (text != null) {
        posted.put(setting.key(), text);
        if (!text.strip().equals(form.value(setting.key()))) {
          changes.put(setting.key(), text.strip());
        }
      }
    }
    if (changes.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> values = new LinkedHashMap<>(form.values);
    values.putAll(posted);
    try {
      service.update(changes, WebRoutes.actor(ctx));
      return Optional.empty();
    } catch (InvalidSetting e) {
      ctx.status(400);
      Map<String, String> errors = new LinkedHashMap<>();
      e.violations().forEach(v -> errors.merge(form.values.containsKey(v.field()) ? v.field() : "", v.message(),
          (first, next) -> first + "; " + next));
      return Optional.of(new SettingsForm(form.settings, values, errors, null));
    } catch (RenderException e) {
      ctx.status(400);
      return Optional.of(new SettingsForm(form.settings, values, refusal(form, e.field(), e.getMessage()), null));
    } catch (SettingsNotKept e) {
      ctx.status(422);
      String testOutput = e.getCause() instanceof NginxFailure failure ? failure.revision().testOutput() : null;
      return Optional.of(new SettingsForm(form.settings, values, Map.of("", e.getMessage()), testOutput));
    }
  }

  /** Beside its field when the form shows that setting; above the form otherwise. */
  private static Map<String, String> refusal(SettingsForm form, String field, String message) {
    return Map.of(form.values.containsKey(field) ? field : "", Objects.requireNonNull(message));
  }

  public String value(String key) {
    return values.getOrDefault(key, "");
  }

  public String error(String key) {
    return errors.get(key);
  }

  public String invalid(String key) {
    return errors.containsKey(key) ? "true" : null;
  }

  /** The refusal of the change as a whole, or null. */
  public String problem() {
    return errors.get("");
  }
}
