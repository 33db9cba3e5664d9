package dev.ollamabridge.console.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last lines of a log file, read from its end only: however large the file, at most a bounded
 * number of bytes is read. A file rotated the bridge's way ({@code PATH.1} the newest of the older
 * ones) gives the rest from {@code PATH.1} when {@code PATH} has too few lines.
 */
final class LogTails {

  private LogTails() {}

  /**
   * The last {@code lines} lines of {@code file} and then of {@code file.1}, oldest first, from at most
   * {@code maxBytes} bytes; none when neither exists. A link is not followed.
   */
  static List<String> last(Path file, int lines, int maxBytes) throws IOException {
    List<String> newest = read(file, lines, maxBytes);
    int bytesLeft = maxBytes - newest.stream().mapToInt(line -> line.length() + 1).sum();
    if (newest.size() >= lines || bytesLeft <= 0) {
      return newest;
    }
    List<String> older = read(file.resolveSibling(file.getFileName() + ".1"), lines - newest.size(), bytesLeft);
    List<String> both = new ArrayList<>(older);
    both.addAll(newest);
    return both;
  }

  private static List<String> read(Path file, int lines, int maxBytes) throws IOException {
    byte[] bytes;
    long start;
    try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = channel.size();
      start = Math.max(0, size - maxBytes);
      ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
      channel.position(start);
      while (buffer.hasRemaining() && channel.read(buffer) > 0) {
        // a file that grows meanwhile is read up to the size it had
      }
      bytes = Arrays.copyOf(buffer.array(), buffer.position());
    } catch (NoSuchFileException e) {
      return List.of();
    }
    List<String> all = new ArrayList<>(Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n", -1)));
    all.remove(all.size() - 1); // after the last newline: empty, or a line still being written
    if (start > 0 && !all.isEmpty()) {
      all.remove(0); // cut by the byte bound
    }
    return all.size() <= lines ? all : all.subList(all.size() - lines, all.size());
  }
}
