package dev.ollamabridge.bridge.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ollamabridge.link.KeyRules;
import dev.ollamabridge.logs.LogText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --client-keys-file}: the cluster's {@link KeyRules}, read at start and again whenever the
 * file changes (its modification time, size or inode, looked at every {@link #POLL}). The console
 * replaces the file atomically, so a changed file is read whole.
 *
 * <p>A version that cannot be used (unreadable, over {@link #MAX_BYTES}, not the document, a key
 * that breaks a rule) is logged once and the last good rules stay in force; a file that disappears
 * keeps them too. Only a bridge that has never read a good version has no rules: it refuses every
 * API request (503) until one appears, rather than serve a cluster that wants keys without them.
 */
public final class KeyFile implements AutoCloseable {

  /** How often the file is looked at: a revoked key stops working within about this long. */
  public static final Duration POLL = Duration.ofMillis(500);
  /** The largest file read; a bigger one is refused unread. */
  public static final long MAX_BYTES = 16L << 20;

  private static final Logger log = LoggerFactory.getLogger(KeyFile.class);
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // a newer console may write more
      .build();

  /** What {@code /health} shows of the keys. */
  public record Status(boolean loaded, boolean required, int count, Instant loadedAt, String error) {}

  /** What identifies one version of the file without reading it. */
  private record Version(Instant modified, long size, Object fileKey) {}

  private final Path path;
  private final Clock clock;
  private final ScheduledExecutorService poller;
  private volatile KeyTable table;
  private volatile Instant loadedAt;
  private volatile String error;
  /** The version last looked at, good or bad: it is not read (nor warned about) again. */
  private Version seen;

  private KeyFile(Path path, Clock clock) {
    this.path = path;
    this.clock = clock;
    this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "client-keys-watch");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Reads the file now (a bridge starts with its keys when the file is there), then watches it. */
  public static KeyFile watch(Path path, Clock clock) {
    KeyFile file = new KeyFile(path, clock);
    file.poll();
    file.poller.scheduleWithFixedDelay(file::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    return file;
  }

  /** The rules in force; null until a good version has been read. */
  public KeyTable table() {
    return table;
  }

  public Path path() {
    return path;
  }

  public Status status() {
    KeyTable current = table;
    return new Status(current != null, current != null && current.required(), current == null ? 0 : current.size(),
        loadedAt, error);
  }

  /** Looks at the file; synchronized, so that a poll and a test's call never read it at once. */
  synchronized void poll() {
    Version version;
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      version = new Version(attributes.lastModifiedTime().toInstant(), attributes.size(), attributes.fileKey());
    } catch (NoSuchFileException e) {
      refuse(null, table == null ? "the file " + path + " does not exist yet"
          : "the file " + path + " is gone; the keys read last stay in force");
      return;
    } catch (IOException e) {
      refuse(null, "the file " + path + " cannot be read: " + e.getMessage());
      return;
    }
    if (version.equals(seen)) {
      return;
    }
    if (version.size() > MAX_BYTES) {
      refuse(version, "the file " + path + " is " + version.size() + " bytes, over the limit of " + MAX_BYTES);
      return;
    }
    KeyTable read;
    try (InputStream in = Files.newInputStream(path)) {
      byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        refuse(version, "the file " + path + " grew over the limit of " + MAX_BYTES + " bytes");
        return;
      }
      read = KeyTable.of(MAPPER.readValue(bytes, KeyRules.class));
    } catch (JsonProcessingException e) {
      // the original message, without the excerpt of the document Jackson's own message quotes
      refuse(version, "the file " + path + " is not a client keys document: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")"));
      return;
    } catch (IOException | IllegalArgumentException e) {
      refuse(version, "the file " + path + " is not a valid client keys document: " + e.getMessage());
      return;
    }
    seen = version;
    table = read;
    loadedAt = clock.instant();
    error = null;
    log.info("client keys read from {}: {} keys, {}", path, read.size(),
        read.required() ? "a key is required" : "no key required");
  }

  /** Keeps the rules in force and says why; a version (or an absence) is warned about once. */
  private void refuse(Version version, String reason) {
    String line = LogText.oneLine(reason, 500);
    boolean repeated = Objects.equals(version, seen) && line.equals(error);
    seen = version;
    error = line;
    if (!repeated) {
      log.warn("client keys not updated: {}{}", line, table == null ? "; every API request is refused (503) until"
          + " a valid file appears" : "; the " + table.size() + " keys read last stay in force");
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
