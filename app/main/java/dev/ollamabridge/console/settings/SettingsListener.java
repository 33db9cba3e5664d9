package dev.ollamabridge.console.settings;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Told of settings: may refuse them before they are stored, and acts once they are (nginx is re-applied). */
public interface SettingsListener {

  /** Checks the settings as they would be; throws to refuse the change. */
  void check(Map<Setting, String> wouldBe);

  /**
   * The settings changed; the future completes when the listener has acted.
   *
   * @param cause what changed, in words an operator reads: {@code settings: nginx.keepalive by web:admin}
   */
  CompletableFuture<?> changed(String actor, String cause);
}
