package dev.ollamabridge.console.usage;

import dev.ollamabridge.console.metrics.Sample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls the usage counters of every scrape of a bridge up into the hourly rows
 * ({@link UsageRepository#record}), and deletes the hours past {@code usage.keep_days} once an hour.
 * A scrape that shows what was last recorded for its instance writes nothing.
 */
public final class UsageRollup implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UsageRollup.class);
  private static final Duration PRUNE_EVERY = Duration.ofHours(1);

  private final UsageRepository repository;
  private final LongFunction<String> hostOf;
  private final IntSupplier keepDays;
  private final Clock clock;
  /** What was last committed per instance: the same again changes nothing, so it is not written. */
  private final Map<Long, BridgeUsage> recorded = new ConcurrentHashMap<>();
  private final ScheduledExecutorService pruner = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "usage-prune");
    thread.setDaemon(true);
    return thread;
  });

  /**
   * @param hostOf the host an instance runs on, by its id
   * @param keepDays the usage.keep_days setting as it is now
   */
  public UsageRollup(UsageRepository repository, LongFunction<String> hostOf, IntSupplier keepDays, Clock clock) {
    this.repository = repository;
    this.hostOf = hostOf;
    this.keepDays = keepDays;
    this.clock = clock;
  }

  /** Prunes now, then every hour. */
  public void start() {
    pruner.scheduleWithFixedDelay(this::pruneQuietly, 0, PRUNE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Records one scrape of an instance's bridge; calls for one instance must not overlap. */
  public void scraped(long instanceId, String instanceName, Instant at, List<Sample> samples) {
    BridgeUsage usage = BridgeUsage.of(samples);
    if (usage.equals(recorded.get(instanceId))) {
      return;
    }
    repository.record(new UsageSource(instanceId, instanceName, hostOf.apply(instanceId)), at, usage);
    recorded.put(instanceId, usage);
  }

  /** Deletes the hours older than {@code usage.keep_days}; answers how many rows went. */
  public int prune() {
    long cutoff = clock.instant().minus(Duration.ofDays(keepDays.getAsInt())).getEpochSecond() / 3600 * 3600;
    return repository.pruneBefore(cutoff);
  }

  private void pruneQuietly() {
    try {
      int pruned = prune();
      if (pruned > 0) {
        log.info("usage: {} hourly rows older than {} days deleted", pruned, keepDays.getAsInt());
      }
    } catch (RuntimeException e) {
      log.warn("usage: pruning failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    pruner.shutdownNow();
  }
}
