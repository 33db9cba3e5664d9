package dev.ollamabridge.bridge.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.ollamabridge.bridge.cache.CacheEntries.Stored;
import dev.ollamabridge.bridge.translate.Answer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Complete answers by {@link CacheKey}: a memory tier (Caffeine) in front of one file per entry
 * in the cache directory ({@link CacheFiles} says which files are its own), and optionally a Redis
 * tier ({@link RedisTier}) behind both, which every bridge of a cluster shares. Bridges may share a
 * directory. An entry that is expired, unreadable, corrupt or not a regular file is a miss, never
 * an error.
 *
 * <p>The order is memory → disk → Redis, the cheapest look-up first. Measured in-process
 * ({@code mvn -Predis-bench verify}, 400-character answers): a disk entry, a file the page cache
 * holds, reads in about 9 µs (p50); a Redis GET on loopback, gunzip and parse included, takes 40
 * to 65 µs (p99 125 to 180 µs), and a LAN adds its round trip to that. A disk miss (no such file)
 * costs a failed open only, so Redis behind the disk adds nothing worth measuring to a Redis hit.
 *
 * <p>A disk hit fills the memory tier; a Redis hit fills the memory tier only, not the disk:
 * filling the disk is a file write and, at {@code --cache-max-entries}, a prune of the directory on
 * the request path (measured with wrk: a bridge whose every ask was a Redis hit served 1.6k
 * answers/s filling its disk, 9.4k filling its memory only, against 23k to 30k from memory), while
 * the entry stays one Redis look-up away. The disk keeps what this bridge (and those sharing its
 * directory) stored. Every answer stored goes to all tiers; the Redis write is in the background.
 */
public final class AnswerCache implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AnswerCache.class);

  private final CacheFiles files;
  private final Duration ttl;
  private final long maxEntries;
  private final Clock clock;
  private final Cache<String, Stored> memory;
  private final AtomicLong diskEntries;
  private final RedisTier redis;
  private final LongAdder memoryHits = new LongAdder();
  private final LongAdder diskHits = new LongAdder();
  private final LongAdder redisHits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder evictions = new LongAdder();

  /** What the cache has done so far; hits by the tier that had the answer. */
  public record Stats(long memoryEntries, long diskEntries, long memoryHits, long diskHits, long redisHits, long misses,
      long evictions) {

    public long hits() {
      return memoryHits + diskHits + redisHits;
    }
  }

  /**
   * Opens the cache in {@code dir}, creating the directory (mode 0700) if needed, without Redis.
   *
   * @throws java.io.UncheckedIOException when the directory cannot be created
   */
  public AnswerCache(Path dir, Duration ttl, long maxEntries, Clock clock) {
    this(dir, ttl, maxEntries, clock, null);
  }

  /**
   * As {@link #AnswerCache(Path, Duration, long, Clock)}, with {@code redis} (null for none) as the
   * last tier; the cache closes it.
   */
  public AnswerCache(Path dir, Duration ttl, long maxEntries, Clock clock, RedisTier redis) {
    this.files = new CacheFiles(dir);
    this.ttl = ttl;
    this.maxEntries = maxEntries;
    this.clock = clock;
    this.redis = redis;
    this.memory =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .expireAfter(Expiry.<String, Stored>creating((key, entry) -> remaining(entry)))
            .removalListener((String key, Stored entry, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
              if (cause.wasEvicted()) {
                evictions.increment();
              }
            })
            .build();
    this.diskEntries = new AtomicLong(files.count());
  }

  /**
   * The answer in memory alone, for a caller that must not wait for a disk or Redis (an event loop):
   * a hit counts as one; a miss counts nothing, since {@link #get} looks further and counts it.
   */
  public Optional<Answer> memoryGet(String key) {
    Stored entry = memory.getIfPresent(key);
    if (entry == null) {
      return Optional.empty();
    }
    memoryHits.increment();
    return Optional.of(entry.answer());
  }

  public Optional<Answer> get(String key) {
    Stored entry = memory.getIfPresent(key);
    if (entry != null) {
      memoryHits.increment();
      return Optional.of(entry.answer());
    }
    entry = fromDisk(key);
    if (entry != null) {
      memory.put(key, entry);
      diskHits.increment();
      return Optional.of(entry.answer());
    }
    entry = redis == null ? null : redis.get(key).orElse(null);
    if (entry != null) {
      memory.put(key, entry);
      redisHits.increment();
      return Optional.of(entry.answer());
    }
    misses.increment();
    return Optional.empty();
  }

  public void put(String key, Answer answer) {
    Stored entry = new Stored(answer, clock.millis());
    memory.put(key, entry);
    toDisk(key, entry);
    if (redis != null) {
      redis.put(key, entry);
    }
  }

  public Stats stats() {
    return new Stats(memory.estimatedSize(), diskEntries.get(), memoryHits.sum(), diskHits.sum(), redisHits.sum(),
        misses.sum(), evictions.sum());
  }

  /** The Redis tier, if there is one. */
  public Optional<RedisTier> redis() {
    return Optional.ofNullable(redis);
  }

  /** Closes the Redis tier's connection; the local tiers need no closing. */
  @Override
  public void close() {
    if (redis != null) {
      redis.close();
    }
  }

  private void toDisk(String key, Stored entry) {
    try {
      if (files.write(key, entry) && diskEntries.incrementAndGet() > maxEntries) {
        prune();
      }
    } catch (IOException e) {
      log.warn("could not write cache entry {}: {}", key, e.toString());
    }
  }

  private Duration remaining(Stored entry) {
    long left = entry.createdMillis() + ttl.toMillis() - clock.millis();
    return Duration.ofMillis(Math.max(0, left));
  }

  private Stored fromDisk(String key) {
    Stored entry = files.read(key).orElse(null);
    if (entry != null && remaining(entry).isZero()) {
      files.delete(key);
      evictions.increment();
      return null;
    }
    return entry;
  }

  /** Deletes the oldest entries until at most {@code maxEntries} remain. */
  private synchronized void prune() {
    if (diskEntries.get() <= maxEntries) {
      return;
    }
    CacheFiles.Pruned pruned = files.keepNewest(maxEntries);
    evictions.add(pruned.deleted());
    diskEntries.set(pruned.remaining());
  }
}
