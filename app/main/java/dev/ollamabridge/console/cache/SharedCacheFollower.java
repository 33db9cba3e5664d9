package dev.ollamabridge.console.cache;

import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.settings.InvalidSetting;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.SettingsListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on the settings for the shared cache, before the listener it wraps (nginx) acts on them: a
 * managed Redis is refused where redis-server is not installed; after a change the managed Redis is
 * started, restarted or stopped, and when the Redis the bridges use changed (its URL or password),
 * the running bridges with the cache on, on every host, are relaunched with the new flags, one at a
 * time, in the background (the settings' answer does not wait for them).
 */
public final class SharedCacheFollower implements SettingsListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SharedCacheFollower.class);
  /** How long a relaunched bridge may take to turn healthy before the next one is relaunched anyway. */
  private static final Duration HEALTHY_WAIT = Duration.ofSeconds(90);

  private final SettingsListener next;
  private final SharedCache cache;
  private final InstanceService instances;
  private final ExecutorService relaunches = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "redis-relaunch");
    thread.setDaemon(true);
    return thread;
  });
  private final Path record;
  private RedisTarget launched;

  /**
   * @param record where the Redis the bridges were last launched with is kept, as a salted digest
   *     (its URL and password never stored): {@code <data>/redis/launched}
   */
  public SharedCacheFollower(SettingsListener next, SharedCache cache, InstanceService instances, Path record) {
    this.next = next;
    this.cache = cache;
    this.instances = instances;
    this.record = record;
    this.launched = cache.target();
  }

  /**
   * As the console starts, after it adopted its bridges: when the Redis they are to use is not the one
   * they were launched with by the last console (its password in the environment changed, say), they
   * are relaunched; a first start only writes the record down.
   */
  public synchronized void relaunchIfChangedSinceLastRun(String actor) {
    Optional<String> before = LaunchRecord.read(record);
    if (before.isPresent() && !LaunchRecord.matches(before.get(), launched)) {
      relaunch(launched, actor);
    } else if (before.isEmpty()) {
      LaunchRecord.write(record, launched);
    }
  }

  @Override
  public void check(Map<Setting, String> wouldBe) {
    if (!wouldBe.get(Setting.CACHE_REDIS_MANAGED).equals(Setting.OFF) && !cache.canManage()) {
      throw new InvalidSetting(Setting.CACHE_REDIS_MANAGED.key(), Setting.CACHE_REDIS_MANAGED.key()
          + " needs redis-server, which is not installed on the console's machine: install it (Debian: redis-server)"
          + " or leave it off and set " + Setting.CACHE_REDIS_URL.key());
    }
    next.check(wouldBe);
  }

  @Override
  public CompletableFuture<?> changed(String actor, String cause) {
    try {
      cache.follow();
    } catch (RuntimeException e) {
      log.warn("the managed Redis could not follow the settings: {}", e.getMessage());
    }
    relaunchIfMoved(actor);
    return next.changed(actor, cause);
  }

  /** Relaunches the bridges with the cache on when the Redis they are to use is no longer the one they were launched with. */
  private synchronized void relaunchIfMoved(String actor) {
    RedisTarget now = cache.target();
    if (now.equals(launched)) {
      return;
    }
    launched = now;
    relaunch(now, actor);
  }

  private void relaunch(RedisTarget now, String actor) {
    String why = now.on() ? "shared cache now " + now.url() : "shared cache off";
    LaunchRecord.write(record, now);
    relaunches.execute(() -> {
      try {
        List<String> names = instances.relaunch(Instance::cacheEnabled, why, actor, HEALTHY_WAIT);
        log.info("{}: relaunched {}", why, names.isEmpty() ? "no bridge" : String.join(", ", names));
      } catch (RuntimeException e) {
        log.warn("relaunching the bridges for the shared cache failed: {}", e.toString());
      }
    });
  }

  @Override
  public void close() {
    relaunches.shutdownNow();
  }
}
