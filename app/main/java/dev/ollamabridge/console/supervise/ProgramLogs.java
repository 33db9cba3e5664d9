package dev.ollamabridge.console.supervise;

import dev.ollamabridge.files.OwnerOnly;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code <logDir>/<name>.log} files that programs write their stdout and stderr to, their rotation,
 * and reading their last lines.
 *
 * <p>Rotation is copy-truncate: a program keeps its log open in append mode for as long as it runs (and
 * may outlive the console), so the file cannot be renamed under it; it is copied to {@code .1} and cut
 * to zero instead, and the program's next write lands at the new end. Lines written between the copy
 * and the cut are lost, the price logrotate's {@code copytruncate} pays too.
 *
 * <p>The logs and their backups are readable by their owner only.
 */
final class ProgramLogs {

  private static final Logger logger = LoggerFactory.getLogger(ProgramLogs.class);
  private static final int CHUNK = 8192;

  private final Path logDir;
  private final long maxBytes;
  private final int backups;

  ProgramLogs(Path logDir, long maxBytes, int backups) {
    this.logDir = logDir;
    this.maxBytes = maxBytes;
    this.backups = backups;
  }

  Path file(String name) {
    return logDir.resolve(name + ".log");
  }

  Path backup(String name, int number) {
    return logDir.resolve(name + ".log." + number);
  }

  /**
   * Creates the log readable by its owner only before a program writes to it, or tightens one that an
   * earlier version left readable by all: a program may log what it was told in confidence.
   */
  void makeOwnerOnly(String name) {
    Path log = file(name);
    try {
      OwnerOnly.file(log, true);
    } catch (IOException e) {
      logger.warn("{}: cannot make {} readable by its owner only: {}", name, log, e.toString());
    }
  }

  long size(String name) {
    try {
      return Files.size(file(name));
    } catch (IOException e) {
      return 0;
    }
  }

  /** Rotates the log when it has passed {@code maxBytes}; one rotation at a time for all programs. */
  synchronized void rotateIfLarge(String name) throws IOException {
    Path log = file(name);
    if (maxBytes == 0 || size(name) <= maxBytes) {
      return;
    }
    if (backups > 0) {
      Files.deleteIfExists(backup(name, backups));
      for (int number = backups - 1; number >= 1; number--) {
        if (Files.exists(backup(name, number))) {
          Files.move(backup(name, number), backup(name, number + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.copy(log, backup(name, 1), StandardCopyOption.REPLACE_EXISTING);
      OwnerOnly.file(backup(name, 1), false);
    }
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
      channel.truncate(0);
    }
  }

  /** The last {@code count} lines of the current log; fewer when it has fewer. Never during a rotation. */
  synchronized List<String> tail(String name, int count) throws IOException {
    return lastLines(file(name), count, 0);
  }

  /**
   * The last line with text that the program wrote after the log had {@code fromOffset} bytes, cut to a
   * readable length; it tells why a start failed.
   */
  Optional<String> lastLineSince(String name, long fromOffset) {
    try {
      long from = fromOffset <= size(name) ? fromOffset : 0; // rotated meanwhile: all of it is new
      List<String> lines = lastLines(file(name), 20, from);
      for (int i = lines.size() - 1; i >= 0; i--) {
        String line = lines.get(i).strip();
        if (!line.isEmpty()) {
          return Optional.of(line.length() > 300 ? line.substring(0, 300) + "…" : line);
        }
      }
    } catch (IOException e) {
      // no line to tell then
    }
    return Optional.empty();
  }


  /** Reads backwards from the end in chunks, so a large log costs no more than its last lines. */
  private static List<String> lastLines(Path file, int count, long fromOffset) throws IOException {
    if (count <= 0) {
      return List.of();
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long start = channel.size();
      byte[] tail = new byte[0];
      int newlines = 0;
      // one newline more than lines wanted, as the last line ends with one and the first may be partial
      while (start > fromOffset && newlines <= count) {
        int length = (int) Math.min(CHUNK, start - fromOffset);
        ByteBuffer chunk = ByteBuffer.allocate(length);
        start -= length;
        while (chunk.hasRemaining() && channel.read(chunk, start + chunk.position()) > 0) {
          // read until the chunk is full or the file was cut under us
        }
        for (int i = 0; i < chunk.position(); i++) {
          newlines += chunk.get(i) == '\n' ? 1 : 0;
        }
        ByteArrayOutputStream joined = new ByteArrayOutputStream(chunk.position() + tail.length);
        joined.write(chunk.array(), 0, chunk.position());
        joined.write(tail, 0, tail.length);
        tail = joined.toByteArray();
      }
      List<String> lines = new String(tail, StandardCharsets.UTF_8).lines().toList();
      if (start > fromOffset && !lines.isEmpty()) {
        lines = lines.subList(1, lines.size());
      }
      return lines.subList(Math.max(0, lines.size() - count), lines.size());
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }
}
