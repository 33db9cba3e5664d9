package dev.ollamabridge.console.nginx;

import dev.ollamabridge.console.instances.ChangeListener;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.SettingsListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps nginx in step with the database: every change to instances or settings, and every health
 * transition, applies nginx.conf again (unless nginx.mode is off). A change that would render a
 * configuration nginx refuses is refused before it is stored.
 */
public final class NginxSync implements ChangeListener, SettingsListener {

  private final ConfigSource configs;
  private final Optional<NginxApplier> applier;
  private final List<Runnable> followers = new CopyOnWriteArrayList<>();

  /** @param applier empty when nginx.mode is off: the files are only rendered */
  public NginxSync(ConfigSource configs, Optional<NginxApplier> applier) {
    this.configs = configs;
    this.applier = applier;
  }

  /** Told of every change that applies nginx.conf again, nginx.mode off or not: the edges follow it. */
  public void addFollower(Runnable follower) {
    followers.add(follower);
  }

  /** Renders the instances as they would be and, unless nginx.mode is off, has {@code nginx -t} test the result. */
  @Override
  public void check(List<Instance> wouldBe) {
    String config = configs.nginx(wouldBe);
    if (applier.isPresent()) {
      Commands.Outcome test = applier.get().test(config).join();
      if (!test.ok()) {
        throw new NginxRefusal("nginx -t refused the configuration this change would make; nothing was changed", test.output());
      }
    }
  }

  /** Renders the settings as they would be: a value the templates cannot use is refused. */
  @Override
  public void check(Map<Setting, String> wouldBe) {
    configs.nginx(wouldBe);
  }

  /**
   * Applies nginx.conf again, for the cause the revision list shows.
   *
   * @param cause what changed, e.g. {@code weight b1 3→7 by web:admin} or {@code health: b2 down}
   */
  @Override
  public CompletableFuture<?> changed(String actor, String cause) {
    followers.forEach(Runnable::run);
    return applier.<CompletableFuture<?>>map(a -> a.request(actor, Cause.of(actor, cause)))
        .orElse(CompletableFuture.completedFuture(null));
  }
}
