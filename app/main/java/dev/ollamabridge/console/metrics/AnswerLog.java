package dev.ollamabridge.console.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, a piece at a time, the JSON lines the managed nginx appends for the requests it answered
 * itself ({@code {"time":"…","status":"502"}}) and counts them by status class.
 *
 * <p>Each {@link #read} takes what was appended since the last, at most {@link #MAX_READ} bytes (the
 * rest waits for the next read, so nothing is lost, only late). What was in the file before the
 * first read is history and skipped. A file replaced (rotated) is read to its end, at the switch and
 * once more after it (for a worker of nginx that wrote on a moment longer), and the new one from its
 * start; a file cut shorter (truncated) is read again from its start. A line longer than
 * {@link #MAX_LINE}, or one that is not an object with a status from 100 to 599, is skipped: the
 * file is nginx's, but nothing in it is trusted.
 */
final class AnswerLog {

  private static final Logger log = LoggerFactory.getLogger(AnswerLog.class);
  /** Room for about 100,000 lines a read: nginx's own answers at 20,000 a second, read every 5 s. */
  static final int MAX_READ = 4 << 20;
  /** nginx writes about 50 bytes a line. */
  static final int MAX_LINE = 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Lines counted by one read: all of them, and those with a 4xx or a 5xx status. */
  record Counts(long answers, long clientErrors, long serverErrors) {}

  private final Path file;
  /** The file before the last rotation, read once more after it; null when there is none. */
  private FileChannel previous;
  private long previousPosition;
  private FileChannel channel;
  private Object channelKey;
  private long position;
  private boolean started;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private boolean lineTooLong;
  private long answers;
  private long clientErrors;
  private long serverErrors;

  AnswerLog(Path file) {
    this.file = file;
  }

  /** The lines appended since the last read, as far as {@link #MAX_READ} goes. */
  synchronized Counts read() {
    answers = 0;
    clientErrors = 0;
    serverErrors = 0;
    int budget = MAX_READ;
    try {
      if (previous != null) {
        budget -= drain(previous, previousPosition, budget);
        closePrevious();
      }
      Object key = currentKey();
      if (channel != null && key != null && !key.equals(channelKey)) { // rotated: the old file's rest first
        budget -= drain(budget);
        previous = channel;
        previousPosition = position;
        channel = null;
      }
      if (channel == null && key != null) {
        channel = FileChannel.open(file, StandardOpenOption.READ);
        channelKey = key;
        position = started ? 0 : channel.size();
        forgetLine();
      }
      started = true;
      if (channel != null) {
        if (channel.size() < position) { // truncated
          position = 0;
          forgetLine();
        }
        drain(budget);
      }
    } catch (IOException e) {
      log.debug("cannot read nginx's answers from {}: {}", file, e.toString());
      close();
    }
    return new Counts(answers, clientErrors, serverErrors);
  }

  /**
   * Moves the file aside to {@code to} (replacing it) when it is larger than {@code limit} and read
   * to its end; nginx must then be told to reopen its logs, which makes a new file. Answers whether
   * it moved the file.
   */
  synchronized boolean moveAside(Path to, long limit) throws IOException {
    if (channel == null || position < limit || channel.size() != position) {
      return false;
    }
    Files.move(file, to, StandardCopyOption.REPLACE_EXISTING);
    return true;
  }

  synchronized void close() {
    closePrevious();
    closeQuietly(channel);
    channel = null;
    channelKey = null;
  }

  private Object currentKey() throws IOException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return attributes.isRegularFile() ? Objects.requireNonNullElse(attributes.fileKey(), file) : null;
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private void closePrevious() {
    closeQuietly(previous);
    previous = null;
  }

  private void closeQuietly(FileChannel open) {
    if (open != null) {
      try {
        open.close();
      } catch (IOException e) {
        log.debug("closing {}: {}", file, e.toString());
      }
    }
  }

  /** Reads the rest of the file before a rotation, as the current one; returns how many bytes it read. */
  private int drain(FileChannel old, long from, int budget) throws IOException {
    FileChannel current = channel;
    long at = position;
    channel = old;
    position = from;
    try {
      return drain(budget);
    } finally {
      channel = current;
      position = at;
    }
  }

  /** Reads from the position on, at most {@code budget} bytes; returns how many it read. */
  private int drain(int budget) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(Math.min(64 * 1024, Math.max(budget, 1)));
    int read = 0;
    while (read < budget) {
      buffer.clear().limit(Math.min(buffer.capacity(), budget - read));
      int n = channel.read(buffer, position);
      if (n <= 0) {
        break;
      }
      position += n;
      read += n;
      byte[] bytes = buffer.array();
      for (int i = 0; i < n; i++) {
        take(bytes[i]);
      }
    }
    return read;
  }

  private void take(byte b) {
    if (b == '\n') {
      if (!lineTooLong) {
        count(line.toByteArray());
      }
      forgetLine();
    } else if (line.size() >= MAX_LINE) {
      lineTooLong = true;
    } else if (!lineTooLong) {
      line.write(b);
    }
  }

  private void forgetLine() {
    line.reset();
    lineTooLong = false;
  }

  private void count(byte[] text) {
    int status;
    try {
      JsonNode entry = JSON.readTree(text);
      status = entry == null ? 0 : Integer.parseInt(entry.path("status").asText(""));
    } catch (IOException | NumberFormatException e) {
      return;
    }
    if (status < 100 || status > 599) {
      return;
    }
    answers++;
    if (status >= 500) {
      serverErrors++;
    } else if (status >= 400) {
      clientErrors++;
    }
  }
}
