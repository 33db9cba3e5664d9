package dev.ollamabridge.console.settings;

import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.validation.Violation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Changes to the settings, done whole or not at all: every value is checked, then the files it
 * would render, before any is stored; then the listener acts on them (nginx is applied again), and
 * if that fails the previous values are put back and the listener acts again: other changes (a
 * health transition, discovered models, an instance) may have shared the refused apply, and must
 * not wait for the next one. One change at a time, so that a change never shares its apply, and its
 * fate, with another change of the settings.
 */
public final class SettingsService {

  private static final long APPLY_WAIT_SECONDS = 60;

  private final Settings settings;
  private final EventLog events;
  private final SettingsListener listener;

  public SettingsService(Settings settings, EventLog events, SettingsListener listener) {
    this.settings = settings;
    this.events = events;
    this.listener = listener;
  }

  /** Every setting with its current value. */
  public Map<Setting, String> all() {
    return settings.all();
  }

  /**
   * Stores the changes (setting key to value as text) and acts on them; answers every setting's value
   * afterwards. Operator settings are shown but refused: only the console's command line or
   * environment sets them.
   *
   * @throws InvalidSetting for an unknown key, an operator setting or a value that breaks its rule
   * @throws SettingsNotKept when acting on them failed and they were put back; its cause says why
   */
  public synchronized Map<Setting, String> update(Map<String, String> changes, String actor) {
    Map<Setting, String> before = new EnumMap<>(settings.all());
    Map<Setting, String> checked = check(changes, before);
    Map<Setting, String> wouldBe = new EnumMap<>(before);
    wouldBe.putAll(checked);
    List<String> conflicts = Setting.conflicts(wouldBe);
    if (!conflicts.isEmpty()) {
      throw new InvalidSetting(conflicts.stream().map(message -> new Violation(message.substring(0, message.indexOf(' ')),
          message)).toList());
    }
    listener.check(wouldBe);
    settings.putAll(checked);
    checked.forEach((setting, value) -> events.record(actor, "settings.update", setting.key(), value));
    try {
      listener.changed(actor, "settings: " + keys(checked, ", ") + " by " + actor).get(APPLY_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      putBack(checked, before, actor, e.getCause());
      throw new SettingsNotKept(e.getCause());
    } catch (TimeoutException e) {
      // the apply goes on; its outcome will be a revision and an event
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return settings.all();
  }

  /**
   * Stores the values the changed settings had before, and has the listener act on the settings as
   * they are back, with everything else that changed meanwhile; its outcome is a revision and an event
   * of its own, the answer is the refusal.
   */
  private void putBack(Map<Setting, String> changed, Map<Setting, String> before, String actor, Throwable why) {
    Map<Setting, String> previous = new EnumMap<>(Setting.class);
    changed.keySet().forEach(setting -> previous.put(setting, before.get(setting)));
    settings.putAll(previous);
    events.record(actor, "settings.revert", keys(changed, ","), why.getMessage());
    try {
      listener.changed(actor, "settings: " + keys(changed, ", ") + " put back after nginx refused them").get(APPLY_WAIT_SECONDS,
          TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // recorded by the listener (a revision, an event); the refusal is the answer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String keys(Map<Setting, String> settings, String separator) {
    return String.join(separator, settings.keySet().stream().map(Setting::key).toList());
  }


  /** Every change checked; every broken rule is thrown at once, each naming its setting. */
  private static Map<Setting, String> check(Map<String, String> changes, Map<Setting, String> current) {
    Map<Setting, String> checked = new EnumMap<>(Setting.class);
    List<Violation> violations = new ArrayList<>();
    changes.forEach((key, value) -> {
      Setting setting = Setting.byKey(key).orElse(null);
      if (setting == null) {
        violations.add(new Violation(key, "'" + key + "' is not a setting"));
      } else if (setting.operator()) {
        violations.add(new Violation(key, key + " is operator configuration, read-only here: set it with "
            + setting.whereSet() + " when the console starts"));
      } else if (value == null) {
        violations.add(new Violation(key, key + " must be a string or a number"));
      } else {
        try {
          checked.put(setting, setting.check(value, current));
        } catch (IllegalArgumentException e) {
          violations.add(new Violation(key, key + " " + e.getMessage()));
        }
      }
    });
    if (!violations.isEmpty()) {
      throw new InvalidSetting(violations);
    }
    return checked;
  }
}
