package dev.ollamabridge.console.supervise;

import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code <runDir>/<name>.pid} files through which a restarted console finds the programs it launched.
 * Each holds the pid and the process's start instant: pids are reused, the pair is not. They are
 * readable by their owner only.
 */
final class PidFiles {

  private static final Logger log = LoggerFactory.getLogger(PidFiles.class);

  private final Path runDir;

  PidFiles(Path runDir) {
    this.runDir = runDir;
  }

  Path file(String name) {
    return runDir.resolve(name + ".pid");
  }

  /**
   * Replaces the file in one step, so a reader never sees half of it, and durably: once this returns, a
   * crash of the console or of the machine leaves the new file behind.
   */
  void write(String name, ProcessHandle process) throws IOException {
    String started = process.info().startInstant().map(Instant::toString).orElse("");
    ByteBuffer text = ByteBuffer.wrap(("pid=" + process.pid() + "\nstarted=" + started + "\n")
        .getBytes(StandardCharsets.UTF_8));
    Path temporary = Files.createTempFile(runDir, name + ".", ".pid.tmp",
        OwnerOnly.fileAttributes());
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        while (text.hasRemaining()) {
          channel.write(text);
        }
        channel.force(true);
      }
      Files.move(temporary, file(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncRunDir();
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * The live process the file names, when it is still the one that was written down; otherwise the file
   * is stale and is deleted.
   */
  Optional<ProcessHandle> liveProcess(String name) {
    Optional<ProcessHandle> process = read(name).flatMap(PidFiles::stillTheSame);
    if (process.isEmpty()) {
      delete(name);
    }
    return process;
  }

  /** A file left behind would at worst be found stale later, so a failure is only logged. */
  void delete(String name) {
    try {
      Files.deleteIfExists(file(name));
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", file(name), e.toString());
    }
  }

  /** A rename lasts a crash only once the directory that holds it is written out as well. */
  private void syncRunDir() {
    try (FileChannel directory = FileChannel.open(runDir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      // some platforms cannot open a directory; the file itself is written out
      log.debug("cannot sync {}: {}", runDir, e.toString());
    }
  }

  /** {@code started} is null where the platform does not tell start instants. */
  private record Entry(long pid, Instant started) {}

  private Optional<Entry> read(String name) {
    try {
      Long pid = null;
      Instant started = null;
      boolean startedSeen = false;
      for (String line : Files.readAllLines(file(name), StandardCharsets.UTF_8)) {
        if (line.startsWith("pid=")) {
          pid = Long.parseLong(line.substring(4).trim());
        } else if (line.startsWith("started=")) {
          String value = line.substring(8).trim();
          started = value.isEmpty() ? null : Instant.parse(value);
          startedSeen = true;
        }
      }
      return pid == null || !startedSeen ? Optional.empty() : Optional.of(new Entry(pid, started));
    } catch (IOException | NumberFormatException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<ProcessHandle> stillTheSame(Entry entry) {
    return ProcessHandle.of(entry.pid())
        .filter(Child::isRunning)
        .filter(process -> Objects.equals(process.info().startInstant().orElse(null), entry.started()));
  }
}
