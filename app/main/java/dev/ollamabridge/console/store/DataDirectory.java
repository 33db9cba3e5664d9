package dev.ollamabridge.console.store;

import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

/**
 * The console's data directory, held by one console at a time: it holds secrets (upstream and
 * client keys in the database, the admin token), so it is {@code 0700} and the files the console
 * keeps in it {@code 0600}. A second console on the same directory is refused, naming the pid of
 * the first. An agent holds its own directory the same way ({@link #lock(Path, String, String)}).
 */
public final class DataDirectory implements AutoCloseable {


  private final Path path;
  private final FileChannel lockFile;
  private final FileLock lock;

  private DataDirectory(Path path, FileChannel lockFile, FileLock lock) {
    this.path = path;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /**
   * Creates or tightens the directory, then locks it; {@link InUse} when another console holds it,
   * {@link NotPrivate} when it is open to others and holds files that are not the console's.
   */
  public static DataDirectory lock(Path dir) {
    DataDirectory held = lock(dir, "console", "console.db");
    try {
      // SQLite gives its -wal and -shm files the mode of the database file
      for (String name : List.of("console.db", "console.db-wal", "console.db-shm")) {
        OwnerOnly.file(held.path.resolve(name), name.equals("console.db"));
      }
      return held;
    } catch (IOException e) {
      held.close();
      throw new UncheckedIOException("cannot use the data directory " + held.path + ": " + e.getMessage(), e);
    }
  }

  /**
   * As {@link #lock(Path)} for any role: the lock file is {@code <role>.lock}, and {@code ownFile} is the
   * file whose presence makes a directory open to others the role's own (so it is tightened, not refused).
   */
  public static DataDirectory lock(Path dir, String role, String ownFile) {
    Path path = dir.toAbsolutePath().normalize();
    try {
      refuseForeign(path, role, ownFile);
      OwnerOnly.directory(path);
      Path file = path.resolve(role + ".lock");
      FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), OwnerOnly.fileAttributes());
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // another console in this very JVM holds it
      }
      if (lock == null) {
        String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
        channel.close();
        throw new InUse("the data directory " + path + " is in use by another " + role + " (pid "
            + (holder.isEmpty() ? "unknown" : holder) + "): stop that " + role + ", or give this one another --data");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(true);
      return new DataDirectory(path, channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the data directory " + path + ": " + e.getMessage(), e);
    }
  }

  public Path path() {
    return path;
  }

  /**
   * A directory others may enter is tightened only when it is the role's (it holds {@code ownFile}, the
   * console's database) or empty: {@code --data /tmp} or a home directory must not lose its permissions
   * by a typo.
   */
  private static void refuseForeign(Path path, String role, String ownFile) throws IOException {
    if (!Files.isDirectory(path) || OwnerOnly.isOwnerOnly(path)
        || Files.exists(path.resolve(ownFile), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var entries = Files.list(path)) {
      if (entries.findAny().isPresent()) {
        throw new NotPrivate("the data directory " + path + " is open to other users and holds files that are not the"
            + " " + role + "'s: give --data a new or empty directory, or make this one private (chmod 700)");
      }
    }
  }

  /** Lets the next console have the directory. */
  @Override
  public void close() {
    try {
      lock.release();
      lockFile.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
  }

  /** The directory is open to others and not the console's own, so the console will not tighten it. */
  public static final class NotPrivate extends RuntimeException {
    NotPrivate(String message) {
      super(message, null, false, false);
    }
  }

  /** Another console holds the directory. */
  public static final class InUse extends RuntimeException {
    InUse(String message) {
      super(message, null, false, false);
    }
  }
}
