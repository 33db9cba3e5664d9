package dev.ollamabridge.console.keys;

import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.SettingsListener;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The settings' listener, with the client keys published again first: {@code keys.required} is part of
 * the document every bridge reads, and nginx (which the next listener applies) checks keys by it.
 */
public record KeysFollowSettings(KeyService keys, SettingsListener next) implements SettingsListener {

  @Override
  public void check(Map<Setting, String> wouldBe) {
    next.check(wouldBe);
  }

  @Override
  public CompletableFuture<?> changed(String actor, String cause) {
    keys.publish();
    return next.changed(actor, cause);
  }
}
