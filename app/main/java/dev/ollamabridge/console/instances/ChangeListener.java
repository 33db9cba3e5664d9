package dev.ollamabridge.console.instances;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Told of changes to the instances; the nginx applier is one. */
public interface ChangeListener {

  /** Checks the instances as they would be after a change; throws to refuse the change. */
  default void check(List<Instance> wouldBe) {}

  /**
   * The instances changed; the future completes when the listener has acted (e.g. nginx reloaded).
   *
   * @param cause what changed, in words an operator reads: {@code stop b2 by web:admin}
   */
  CompletableFuture<?> changed(String actor, String cause);
}
