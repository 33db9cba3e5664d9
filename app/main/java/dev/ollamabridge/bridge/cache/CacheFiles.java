package dev.ollamabridge.bridge.cache;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.bridge.cache.CacheEntries.Stored;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache's files: {@code DIR/<first two hex digits>/answer-<64-hex key>.json}, written to a
 * temporary {@code .answer-<key>-<n>.tmp} and renamed into place, so bridges can share a directory
 * and a reader never sees half a file. Only regular files of exactly this naming are read, counted
 * or deleted; links are never followed, so a link or FIFO named like an entry is a miss and other
 * files in the directory are left alone. Entries are mode 0600 and directories it creates 0700
 * where the filesystem has POSIX permissions.
 */
final class CacheFiles {

  private static final Logger log = LoggerFactory.getLogger(CacheFiles.class);
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SHARD = Pattern.compile("[0-9a-f]{2}");
  private static final Pattern ENTRY = Pattern.compile("answer-([0-9a-f]{64})\\.json");
  private static final Pattern TEMPORARY = Pattern.compile("\\.answer-[0-9a-f]{64}-[0-9]+\\.tmp");
  /** A temporary file this old was left by a bridge that died while writing it. */
  private static final Duration ABANDONED = Duration.ofHours(1);
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  /** What a prune did: entries deleted, and entries left. */
  record Pruned(int deleted, int remaining) {}

  private final Path dir;

  /** Opens (and creates, mode 0700) the directory; fails with a message naming it. */
  CacheFiles(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir, OwnerOnly.directoryAttributes());
    } catch (AccessDeniedException e) {
      throw new UncheckedIOException("cannot create " + dir + ": permission denied", e);
    } catch (FileAlreadyExistsException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getFile() + " is a file, not a directory", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The stored entry, or empty when there is none that is a regular file holding this key. */
  Optional<Stored> read(String key) {
    Path file = fileOf(key);
    try {
      if (!isDirectory(file.getParent()) || !isRegularFile(file)) {
        return Optional.empty();
      }
      JsonNode node;
      try (InputStream in = Files.newInputStream(file, NOFOLLOW)) {
        node = Json.MAPPER.readTree(in);
      }
      Optional<Stored> entry = CacheEntries.read(key, node);
      if (entry.isEmpty()) {
        log.debug("cache entry {} is not a valid entry; treating it as a miss", file);
      }
      return entry;
    } catch (IOException | RuntimeException e) {
      log.debug("cache entry {} is unreadable ({}); treating it as a miss", file, e.toString());
      return Optional.empty();
    }
  }

  /** Writes the entry; answers whether it is a new one (rather than a replaced one). */
  boolean write(String key, Stored entry) throws IOException {
    Path target = fileOf(key);
    Path shard = target.getParent();
    try {
      Files.createDirectory(shard, OwnerOnly.directoryAttributes());
    } catch (FileAlreadyExistsException e) {
      if (!isDirectory(shard)) {
        throw new IOException(shard + " is not a directory of the cache");
      }
    }
    boolean fresh = !Files.exists(target, NOFOLLOW);
    OwnerOnly.write(target, CacheEntries.json(key, entry), ".answer-" + key + "-");
    return fresh;
  }

  /** Deletes the entry of this key if it is a regular file. */
  void delete(String key) {
    Path file = fileOf(key);
    try {
      if (isRegularFile(file)) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      log.debug("could not delete cache entry {}: {}", file, e.toString());
    }
  }

  /** How many entries the directory holds. */
  int count() {
    return entries().size();
  }

  /** Deletes the oldest entries until at most {@code keep} remain. */
  Pruned keepNewest(long keep) {
    List<Path> entries = entries();
    int excess = (int) Math.max(0, entries.size() - keep);
    entries.sort(Comparator.comparingLong(CacheFiles::modifiedMillis));
    int deleted = 0;
    for (Path file : entries.subList(0, excess)) {
      try {
        Files.deleteIfExists(file); // never follows a link; the file was seen to be regular
        deleted++;
      } catch (IOException e) {
        log.debug("could not delete cache entry {}: {}", file, e.toString());
      }
    }
    deleteAbandonedTemporaries();
    return new Pruned(deleted, entries.size() - deleted);
  }

  private Path fileOf(String key) {
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("a cache key is 64 lower-case hex digits, not '" + key + "'");
    }
    return dir.resolve(key.substring(0, 2)).resolve("answer-" + key + ".json");
  }

  /** The regular files named like an entry, each in the shard its key names. */
  private List<Path> entries() {
    List<Path> entries = new ArrayList<>();
    for (Path shard : shards()) {
      for (Path file : list(shard, ENTRY)) {
        var name = ENTRY.matcher(file.getFileName().toString());
        if (name.matches() && name.group(1).startsWith(shard.getFileName().toString()) && isRegularFile(file)) {
          entries.add(file);
        }
      }
    }
    return entries;
  }

  private void deleteAbandonedTemporaries() {
    long cutoff = System.currentTimeMillis() - ABANDONED.toMillis();
    for (Path shard : shards()) {
      for (Path file : list(shard, TEMPORARY)) {
        try {
          if (isRegularFile(file) && modifiedMillis(file) < cutoff) {
            Files.deleteIfExists(file);
          }
        } catch (IOException e) {
          log.debug("could not delete abandoned cache file {}: {}", file, e.toString());
        }
      }
    }
  }

  private List<Path> shards() {
    List<Path> shards = new ArrayList<>();
    for (Path shard : list(dir, SHARD)) {
      if (isDirectory(shard)) {
        shards.add(shard);
      }
    }
    return shards;
  }

  private static List<Path> list(Path directory, Pattern names) {
    List<Path> found = new ArrayList<>();
    DirectoryStream.Filter<Path> filter = path -> names.matcher(path.getFileName().toString()).matches();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, filter)) {
      stream.forEach(found::add);
    } catch (IOException | RuntimeException e) {
      log.debug("could not list the cache directory {}: {}", directory, e.toString());
    }
    return found;
  }

  private static boolean isRegularFile(Path path) {
    return attributes(path).map(BasicFileAttributes::isRegularFile).orElse(false);
  }

  private static boolean isDirectory(Path path) {
    return attributes(path).map(BasicFileAttributes::isDirectory).orElse(false);
  }

  private static Optional<BasicFileAttributes> attributes(Path path) {
    try {
      return Optional.of(Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static long modifiedMillis(Path file) {
    return attributes(file).map(attributes -> attributes.lastModifiedTime().toMillis()).orElse(0L);
  }
}
