package dev.ollamabridge.logs;

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
import java.util.List;

/**
 * The last lines of a log, read from its end only: however large the file, at most {@code maxBytes}
 * are read. A log rotated the bridge's way ({@code PATH.1} the newest of the older files) gives the
 * rest from {@code PATH.1} when {@code PATH} alone has too few lines. A link is not followed.
 */
public final class LogTail {

  private LogTail() {}

  /** The last {@code lines} lines, oldest first; none when there is no such file. */
  public static List<String> last(Path file, int lines, int maxBytes) throws IOException {
    Read newest = read(file, lines, maxBytes);
    if (newest.lines().size() >= lines || newest.bytes() >= maxBytes) {
      return newest.lines();
    }
    Read older = read(file.resolveSibling(file.getFileName() + ".1"), lines - newest.lines().size(),
        maxBytes - newest.bytes());
    List<String> both = new ArrayList<>(older.lines());
    both.addAll(newest.lines());
    return both;
  }

  private record Read(List<String> lines, int bytes) {}

  private static Read read(Path file, int lines, int maxBytes) throws IOException {
    if (lines <= 0 || maxBytes <= 0) {
      return new Read(List.of(), 0);
    }
    byte[] bytes;
    long start;
    try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = channel.size();
      start = Math.max(0, size - maxBytes);
      ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
      channel.position(start);
      while (buffer.hasRemaining() && channel.read(buffer) > 0) {
        // a log that grows meanwhile is read up to the size it had
      }
      bytes = buffer.array();
    } catch (NoSuchFileException e) {
      return new Read(List.of(), 0);
    }
    List<String> all = new ArrayList<>(List.of(new String(bytes, StandardCharsets.UTF_8).split("\n", -1)));
    all.remove(all.size() - 1); // after the last newline: nothing, or a line still being written
    if (start > 0 && !all.isEmpty()) {
      all.remove(0); // begun before what was read
    }
    return new Read(all.size() <= lines ? all : List.copyOf(all.subList(all.size() - lines, all.size())), bytes.length);
  }
}
