package dev.ollamabridge.console.cache;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.console.supervise.ProgramStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's shared cache tier as the console sees it: which Redis the bridges with the cache on
 * use ({@link #target()}: {@code cache.redis_url} with the operator's password, or the managed one
 * with its generated password, or none), the managed Redis kept as the settings say
 * ({@link #follow()}), and whether that Redis answers ({@link #state()}).
 */
public final class SharedCache implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SharedCache.class);
  /** The state shown is at most this old: the pages poll it, and every poll need not dial Redis. */
  private static final Duration STATE_FRESH = Duration.ofSeconds(2);

  private final Settings settings;
  private final Optional<ManagedRedis> managed;
  private final RedisProbe probe;
  private volatile RedisState last = RedisState.off();

  /** @param managed the managed Redis, empty when redis-server is not installed */
  public SharedCache(Settings settings, Optional<ManagedRedis> managed, RedisProbe probe) {
    this.settings = settings;
    this.managed = managed;
    this.probe = probe;
  }

  /** The Redis the bridges with the cache on are launched with now. */
  public RedisTarget target() {
    return managed.isPresent() ? target(settings.all(), settings.secret(Setting.CACHE_REDIS_PASSWORD),
        managed.get()::password) : target(settings.all(), settings.secret(Setting.CACHE_REDIS_PASSWORD), null);
  }

  /**
   * The Redis the settings name: cache.redis_url with the operator's password, or the managed one's
   * address with its password, or off.
   *
   * @param managedPassword the managed Redis's password; null where it cannot run
   */
  public static RedisTarget target(Map<Setting, String> all, Optional<String> urlPassword, Supplier<String> managedPassword) {
    String url = all.get(Setting.CACHE_REDIS_URL);
    if (!url.isEmpty()) {
      return new RedisTarget(url, urlPassword.orElse(null));
    }
    Optional<HostPort> bind = managedBind(all);
    if (bind.isPresent() && managedPassword != null) {
      return new RedisTarget("redis://" + bind.get().dialAddress(), managedPassword.get());
    }
    return RedisTarget.OFF;
  }

  /** Whether the console can run a Redis itself: redis-server is installed. */
  public boolean canManage() {
    return managed.isPresent();
  }

  /**
   * Brings the managed Redis in line with the settings: started (or adopted) where
   * {@code cache.redis_managed} binds, restarted when its config changed, stopped when it is off.
   * Called as the console starts and after every change of the settings.
   */
  public synchronized void follow() {
    Map<Setting, String> all = settings.all();
    Optional<HostPort> bind = managedBind(all);
    if (managed.isEmpty()) {
      bind.ifPresent(b -> log.warn("cache.redis_managed is {} but redis-server is not installed: no Redis runs", b));
      return;
    }
    if (bind.isPresent()) {
      managed.get().run(bind.get(), Integer.parseInt(all.get(Setting.CACHE_REDIS_MAX_MEMORY_MB)));
    } else if (managed.get().status().isPresent()) {
      managed.get().stop();
    }
  }

  /**
   * Where the shared cache stands, as the Settings page and {@code GET /api/v1/cache} show it.
   *
   * @param source {@code url} (cache.redis_url), {@code managed} (the console's own Redis) or {@code off}
   * @param redis whether that Redis answers
   * @param managed the managed redis-server's process, or null when this console runs none
   */
  public record Status(String source, RedisState redis, ProgramStatus managed) {}

  public Status status() {
    Map<Setting, String> all = settings.all();
    RedisTarget target = target();
    String source = !target.on() ? "off" : all.get(Setting.CACHE_REDIS_URL).isEmpty() ? "managed" : "url";
    return new Status(source, state(), managed.flatMap(ManagedRedis::status).orElse(null));
  }

  /** Whether the effective Redis answers, asked at most every {@code STATE_FRESH}. */
  public RedisState state() {
    RedisTarget target = target();
    RedisState seen = last;
    if (!target.on()) {
      return RedisState.off();
    }
    if (seen.at() != null && target.url().equals(seen.url())
        && seen.at().plus(STATE_FRESH).isAfter(Instant.now())) {
      return seen;
    }
    RedisState now = probe.probe(target);
    last = now;
    return now;
  }

  /** Where the managed Redis binds, when the settings turn it on. */
  private static Optional<HostPort> managedBind(Map<Setting, String> all) {
    String managed = all.get(Setting.CACHE_REDIS_MANAGED);
    return managed.equals(Setting.OFF) ? Optional.empty() : Optional.of(HostPort.parse(managed));
  }

  /** Closes the probe's client. */
  @Override
  public void close() {
    probe.close();
  }
}
