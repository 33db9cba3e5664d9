package dev.ollamabridge.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** What tests of nginx's log rotation need: a log made large, and the next request found where nginx logs it. */
public final class NginxLogFiles {

  private static final AtomicInteger TAGS = new AtomicInteger();

  private NginxLogFiles() {}

  /** Appends {@code bytes} bytes of lines of {@code filler} to the log, as if nginx had logged them. */
  public static void grow(Path log, int bytes, char filler) throws IOException {
    String line = String.valueOf(filler).repeat(99) + "\n";
    Files.writeString(log, line.repeat(bytes / line.length() + 1), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /**
   * Sends requests, each with a new tag, until nginx logs one in {@code log} rather than in the file moved
   * aside: nginx reopens its logs a moment after it is told to, and writes to the file it had open until
   * then. The tag of that request.
   */
  public static String awaitNextRequestIn(Path log, Consumer<String> send, Duration atMost) {
    Path aside = log.resolveSibling(log.getFileName() + ".1");
    AtomicReference<String> found = new AtomicReference<>();
    await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
      String tag = "rotated-" + TAGS.incrementAndGet();
      send.accept(tag);
      await().atMost(atMost).until(() -> contains(log, tag) || contains(aside, tag)); // nginx logs after it answers
      if (contains(log, tag)) {
        found.set(tag);
        return true;
      }
      return false;
    });
    return found.get();
  }

  private static boolean contains(Path file, String tag) throws IOException {
    return Files.exists(file) && Files.readString(file).contains(tag);
  }

  /** The file's permissions, as {@code rw-------}. */
  public static String permissions(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }
}
