package dev.ollamabridge.bridge.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Complete answers by {@link CacheKey}: a memory tier (Caffeine) in front of one JSON file per
 * entry under the cache directory. Files are written to a temporary name and renamed into place,
 * so several bridges can share a directory and a reader never sees half a file. An entry that is
 * expired, unreadable or corrupt is a miss, never an error.
 */
public final class AnswerCache {

  private static final Logger log = LoggerFactory.getLogger(AnswerCache.class);

  private final Path dir;
  private final Duration ttl;
  private final long maxEntries;
  private final Clock clock;
  private final Cache<String, Entry> memory;
  private final AtomicLong diskEntries;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder evictions = new LongAdder();

  /** A cached answer and when it was first stored, which fixes its expiry in both tiers. */
  private record Entry(Answer answer, long createdMillis) {}

  /** What the cache has done so far. */
  public record Stats(long memoryEntries, long diskEntries, long hits, long misses, long evictions) {}

  public AnswerCache(Path dir, Duration ttl, long maxEntries, Clock clock) {
    this.dir = dir;
    this.ttl = ttl;
    this.maxEntries = maxEntries;
    this.clock = clock;
    this.memory =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .expireAfter(Expiry.<String, Entry>creating((key, entry) -> remaining(entry)))
            .removalListener((String key, Entry entry, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
              if (cause.wasEvicted()) {
                evictions.increment();
              }
            })
            .build();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the cache directory " + dir, e);
    }
    this.diskEntries = new AtomicLong(countFiles());
  }

  public Optional<Answer> get(String key) {
    Entry entry = memory.getIfPresent(key);
    if (entry == null) {
      entry = readFile(key);
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
    Entry entry = new Entry(answer, clock.millis());
    memory.put(key, entry);
    try {
      if (writeFile(key, entry) && diskEntries.incrementAndGet() > maxEntries) {
        prune();
      }
    } catch (IOException e) {
      log.warn("could not write cache entry {}: {}", key, e.toString());
    }
  }

  public Stats stats() {
    return new Stats(memory.estimatedSize(), diskEntries.get(), hits.sum(), misses.sum(), evictions.sum());
  }

  private Duration remaining(Entry entry) {
    long left = entry.createdMillis() + ttl.toMillis() - clock.millis();
    return Duration.ofMillis(Math.max(0, left));
  }

  private Path fileOf(String key) {
    return dir.resolve(key.substring(0, 2)).resolve(key + ".json");
  }

  private Entry readFile(String key) {
    Path file = fileOf(key);
    try {
      JsonNode node = Json.MAPPER.readTree(file.toFile());
      JsonNode answer = node.path("answer");
      if (!key.equals(node.path("key").asText()) || !answer.path("content").isTextual()) {
        log.debug("cache entry {} is not a valid entry; treating it as a miss", file);
        return null;
      }
      Entry entry =
          new Entry(
              new Answer(
                  answer.path("content").asText(),
                  answer.path("reasoning").asText(""),
                  answer.path("finish_reason").asText("stop"),
                  new Usage(answer.path("prompt_tokens").asLong(0), answer.path("completion_tokens").asLong(0))),
              node.path("created_ms").asLong(0));
      if (remaining(entry).isZero()) {
        Files.deleteIfExists(file);
        evictions.increment();
        return null;
      }
      return entry;
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      log.debug("cache entry {} is unreadable ({}); treating it as a miss", file, e.toString());
      return null;
    }
  }

  /** Writes the entry; answers whether it is a new file (rather than a replaced one). */
  private boolean writeFile(String key, Entry entry) throws IOException {
    ObjectNode node = Json.object().put("key", key).put("created_ms", entry.createdMillis());
    Answer answer = entry.answer();
    node.putObject("answer")
        .put("content", answer.content())
        .put("reasoning", answer.reasoning())
        .put("finish_reason", answer.finishReason())
        .put("prompt_tokens", answer.usage().promptTokens())
        .put("completion_tokens", answer.usage().completionTokens());
    Path target = fileOf(key);
    Files.createDirectories(target.getParent());
    boolean fresh = !Files.exists(target);
    Path temp = Files.createTempFile(target.getParent(), ".tmp-", ".json");
    try {
      Files.write(temp, Json.bytes(node));
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    return fresh;
  }

  /** Deletes the oldest files until at most {@code maxEntries} remain. */
  private synchronized void prune() {
    if (diskEntries.get() <= maxEntries) {
      return;
    }
    List<Path> files = entryFiles();
    int excess = files.size() - (int) maxEntries;
    if (excess > 0) {
      files.sort(Comparator.comparingLong(AnswerCache::modifiedMillis));
      for (Path file : files.subList(0, excess)) {
        try {
          Files.deleteIfExists(file);
          evictions.increment();
        } catch (IOException e) {
          log.debug("could not delete cache entry {}: {}", file, e.toString());
        }
      }
    }
    diskEntries.set(Math.min(files.size(), maxEntries));
  }

  private long countFiles() {
    return entryFiles().size();
  }

  private List<Path> entryFiles() {
    try (Stream<Path> files = Files.walk(dir, 2)) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".json"))
          .filter(file -> !file.getFileName().toString().startsWith(".tmp-"))
          .collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
    } catch (IOException | UncheckedIOException e) {
      log.debug("could not list the cache directory {}: {}", dir, e.toString());
      return new java.util.ArrayList<>();
    }
  }

  private static long modifiedMillis(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }
}
