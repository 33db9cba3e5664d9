package dev.ollamabridge.bridge.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.ollamabridge.bridge.cache.CacheFiles.Stored;
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
 * in the cache directory ({@link CacheFiles} says which files are its own). Bridges may share a
 * directory. An entry that is expired, unreadable, corrupt or not a regular file is a miss, never
 * an error.
 */
public final class AnswerCache {

  private static final Logger log = LoggerFactory.getLogger(AnswerCache.class);

  private final CacheFiles files;
  private final Duration ttl;
  private final long maxEntries;
  private final Clock clock;
  private final Cache<String, Stored> memory;
  private final AtomicLong diskEntries;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder evictions = new LongAdder();

  /** What the cache has done so far. */
  public record Stats(long memoryEntries, long diskEntries, long hits, long misses, long evictions) {}

  /**
   * Opens the cache in {@code dir}, creating the directory (mode 0700) if needed.
   *
   * @throws java.io.UncheckedIOException when the directory cannot be created
   */
  public AnswerCache(Path dir, Duration ttl, long maxEntries, Clock clock) {
    this.files = new CacheFiles(dir);
    this.ttl = ttl;
    this.maxEntries = maxEntries;
    this.clock = clock;
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

  public Optional<Answer> get(String key) {
    Stored entry = memory.getIfPresent(key);
    if (entry == null) {
      entry = fromDisk(key);
      if (entry != null) {
        memory.put(key, entry);
      }
    }
    if (entry == null) {
      misses.increment();
      return Optional.empty();
    }
    hits.increment();
    return Optional.of(entry.answer());
  }

  public void put(String key, Answer answer) {
    Stored entry = new Stored(answer, clock.millis());
    memory.put(key, entry);
    try {
      if (files.write(key, entry) && diskEntries.incrementAndGet() > maxEntries) {
        prune();
      }
    } catch (IOException e) {
      log.warn("could not write cache entry {}: {}", key, e.toString());
    }
  }

  public Stats stats() {
    return new Stats(memory.estimatedSize(), diskEntries.get(), hits.sum(), misses.sum(), evictions.sum());
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
