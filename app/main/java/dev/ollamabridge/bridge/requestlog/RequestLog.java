package dev.ollamabridge.bridge.requestlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ollamabridge.files.OwnerOnly;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's request log: one JSON object per line per API request, in a file of its owner's only,
 * rotated by size ({@code PATH} → {@code PATH.1} … {@code PATH.K}) and rid of rotated files older
 * than the retention's age.
 *
 * <p>A request only hands its line to a bounded queue: one thread serializes and writes, so neither
 * the encoding, a rotation nor a slow disk ever holds a request up. When the queue is full (the disk
 * cannot keep up) the line is dropped and counted, never waited for. The writer flushes after every
 * batch it takes from the queue, so a reader tailing the file sees a line as soon as it is written.
 */
public final class RequestLog implements AutoCloseable {

  /**
   * How much of the log is kept.
   *
   * @param maxBytes the size at which the file is rotated
   * @param keep how many rotated files are kept ({@code PATH.1} the newest); 0 keeps none
   * @param maxAge rotated files last written longer ago are deleted
   */
  public record Retention(long maxBytes, int keep, Duration maxAge) {

    public static final long DEFAULT_MAX_BYTES = 10L << 20;
    public static final int DEFAULT_KEEP = 5;
    public static final int DEFAULT_MAX_AGE_DAYS = 30;

    public Retention {
      if (maxBytes < 4096) {
        throw new IllegalArgumentException("--request-log-max-bytes must be at least 4096");
      }
      if (keep < 0 || keep > 1000) {
        throw new IllegalArgumentException("--request-log-keep must be between 0 and 1000");
      }
      if (maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("--request-log-max-age-days must be at least 1");
      }
    }

    public static Retention defaults() {
      return new Retention(DEFAULT_MAX_BYTES, DEFAULT_KEEP, Duration.ofDays(DEFAULT_MAX_AGE_DAYS));
    }
  }

  /** A request log that cannot be opened at start: the flag names a place the bridge may not write. */
  public static final class Unwritable extends RuntimeException {
    Unwritable(String message, IOException cause) {
      super(message, cause);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(RequestLog.class);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  /** Lines waiting to be written: some seconds of a busy bridge's traffic. */
  private static final int QUEUE_LINES = 8192;
  /** With bodies a line may weigh 128 KiB: fewer wait, so that a stalled disk costs at most some 32 MiB. */
  private static final int QUEUE_LINES_WITH_BODIES = 256;
  private static final Duration SWEEP_EVERY = Duration.ofHours(1);
  private static final RequestLogLine END = new RequestLogLine(Instant.EPOCH, null, null, null, null, null, null,
      null, null, null, 0, null, 0, null, null, null, null, null, null, null, null, null, null);

  private final Path path;
  private final Retention retention;
  private final Runnable dropped;
  private final Clock clock;
  private final BlockingQueue<RequestLogLine> queue;
  private final Thread writer;
  private final JsonFactory json = new JsonFactory();
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
  private final Pattern rotated;
  private OutputStream out;
  private long size;
  private Instant nextSweep = Instant.MIN;
  private boolean failing;
  private volatile boolean closed;

  private RequestLog(Path path, Retention retention, boolean bodies, Runnable dropped, Clock clock) {
    this.path = path.toAbsolutePath().normalize();
    this.retention = retention;
    this.dropped = dropped;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(bodies ? QUEUE_LINES_WITH_BODIES : QUEUE_LINES);
    this.rotated = Pattern.compile(Pattern.quote(this.path.getFileName().toString()) + "\\.([0-9]{1,9})");
    this.writer = new Thread(this::run, "request-log");
    this.writer.setDaemon(true);
  }

  /**
   * Opens (or creates, owner-only, with its missing directories) the log at {@code path} and starts
   * its writer; a file that cannot be opened fails here, at start-up, where a flag can cure it.
   *
   * @param bodies whether lines carry bodies (the queue then holds fewer)
   * @param dropped called for each line dropped (queue full, or the file not writable)
   */
  public static RequestLog open(Path path, Retention retention, boolean bodies, Runnable dropped) {
    return open(path, retention, bodies, dropped, Clock.systemUTC());
  }

  static RequestLog open(Path path, Retention retention, boolean bodies, Runnable dropped, Clock clock) {
    RequestLog requestLog = new RequestLog(path, retention, bodies, dropped, clock);
    try {
      requestLog.openFile();
    } catch (IOException e) {
      String why = e instanceof AccessDeniedException ? "permission denied"
          : e instanceof NoSuchFileException ? "it cannot be created there"
          : e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.toString();
      throw new Unwritable("--request-log: cannot write " + path + " (" + why + "); name a file in a directory the"
          + " bridge may write", e);
    }
    requestLog.sweep();
    requestLog.writer.start();
    return requestLog;
  }

  public Path path() {
    return path;
  }

  /** Queues one line; never waits: a full queue drops it (and counts it). */
  public void add(RequestLogLine requestLine) {
    if (closed || !queue.offer(requestLine)) {
      dropped.run();
    }
  }

  /** Writes what is queued, then closes the file. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      // a writer that cannot take it within that time is stuck on its disk: the bridge stops all the same
      if (queue.offer(END, 10, TimeUnit.SECONDS)) {
        writer.join(TimeUnit.SECONDS.toMillis(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<RequestLogLine> batch = new ArrayList<>(256);
    try {
      while (true) {
        RequestLogLine first = queue.poll(1, TimeUnit.SECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, 255);
          boolean end = false;
          for (RequestLogLine requestLine : batch) {
            end |= requestLine == END;
            if (requestLine != END) {
              write(requestLine);
            }
          }
          batch.clear();
          flush();
          if (end) {
            break;
          }
        }
        if (!clock.instant().isBefore(nextSweep)) {
          sweep();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeFile();
    }
  }

  private void write(RequestLogLine requestLine) {
    try {
      line.reset();
      encode(requestLine);
      if (out == null) {
        openFile();
      }
      if (size > 0 && size + line.size() > retention.maxBytes()) {
        rotate();
      }
      line.writeTo(out);
      size += line.size();
      if (failing) {
        failing = false;
        log.info("the request log {} is written again", path);
      }
    } catch (IOException | RuntimeException e) { // the writer lives on: the next line may be written
      dropped.run();
      if (!failing) {
        failing = true;
        log.warn("cannot write the request log {}: {}; lines are dropped until it can", path, e.toString());
      }
      closeFile();
    }
  }

  private void flush() {
    if (out != null) {
      try {
        out.flush();
      } catch (IOException e) {
        log.warn("cannot write the request log {}: {}", path, e.toString());
        closeFile();
      }
    }
  }

  private void encode(RequestLogLine l) throws IOException {
    try (JsonGenerator g = json.createGenerator(line)) {
      g.writeStartObject();
      g.writeStringField("time", TIME.format(l.time()));
      g.writeStringField("id", l.id());
      g.writeStringField("key", l.key());
      g.writeStringField("key_id", l.keyId());
      g.writeStringField("model", l.model());
      g.writeStringField("backend_model", l.backendModel());
      g.writeStringField("route", l.route());
      g.writeStringField("dialect_in", l.dialectIn());
      g.writeStringField("dialect_out", l.dialectOut());
      g.writeFieldName("stream");
      if (l.stream() == null) {
        g.writeNull();
      } else {
        g.writeBoolean(l.stream());
      }
      g.writeNumberField("status", l.status());
      g.writeStringField("cache", l.cache());
      g.writeNumberField("latency_ms", l.latencyMs());
      number(g, "ttft_ms", l.ttftMs());
      number(g, "prompt_tokens", l.promptTokens());
      number(g, "completion_tokens", l.completionTokens());
      number(g, "bytes_in", l.bytesIn());
      number(g, "bytes_out", l.bytesOut());
      g.writeStringField("client", l.client());
      number(g, "retries", l.retries() == null ? null : l.retries().longValue());
      g.writeStringField("error", l.error());
      if (l.requestBody() != null || l.responseBody() != null) {
        g.writeStringField("request_body", l.requestBody());
        g.writeStringField("response_body", l.responseBody());
      }
      g.writeEndObject();
    }
    line.write('\n');
  }

  private static void number(JsonGenerator g, String name, Long value) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeNumberField(name, value);
    }
  }

  private void openFile() throws IOException {
    Path dir = path.getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, OwnerOnly.directoryAttributes());
    }
    OwnerOnly.file(path, true);
    out = Channels.newOutputStream(Files.newByteChannel(path,
        EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND), OwnerOnly.fileAttributes()));
    out = new BufferedOutputStream(out, 64 * 1024);
    size = Files.size(path);
  }

  private void closeFile() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        log.debug("closing the request log: {}", e.toString());
      }
      out = null;
    }
  }

  /** PATH.K is dropped, each PATH.N becomes PATH.N+1, PATH becomes PATH.1, and a new PATH is begun. */
  private void rotate() throws IOException {
    out.flush();
    closeFile();
    if (retention.keep() == 0) {
      Files.deleteIfExists(path);
    } else {
      Files.deleteIfExists(rotated(retention.keep()));
      for (int n = retention.keep() - 1; n >= 1; n--) {
        moveIfExists(rotated(n), rotated(n + 1));
      }
      moveIfExists(path, rotated(1));
    }
    openFile();
    sweep();
  }

  private Path rotated(int n) {
    return path.resolveSibling(path.getFileName() + "." + n);
  }

  private static void moveIfExists(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException gone) {
      // nothing to move
    }
  }

  /** Deletes rotated files past {@code keep} (a smaller keep than before) or older than the retention's age. */
  private void sweep() {
    Instant now = clock.instant();
    nextSweep = now.plus(SWEEP_EVERY);
    Instant oldest = now.minus(retention.maxAge());
    try (DirectoryStream<Path> files = Files.newDirectoryStream(path.getParent())) {
      for (Path file : files) {
        Matcher m = rotated.matcher(file.getFileName().toString());
        if (m.matches() && (Integer.parseInt(m.group(1)) > retention.keep()
            || Files.getLastModifiedTime(file).toInstant().isBefore(oldest))) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      log.warn("cannot sweep old request logs beside {}: {}", path, e.toString());
    }
  }
}
