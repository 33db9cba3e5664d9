package dev.ollamabridge.console.instances;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Told of changes to the instances; the nginx applier is one. */
public interface ChangeListener {

  /** Checks the instances as they would be after a change; throws to refuse the change. */
  default void check(List<Instance> wouldBe) {}

  /** The instances changed; the future completes when the listener has acted (e.g. nginx reloaded). */
  CompletableFuture<?> changed(String actor);
}
