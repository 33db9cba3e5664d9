package dev.ollamabridge.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories that only their owner may read: {@code 0600} and {@code 0700}, created so
 * from the start where the filesystem has POSIX permissions (elsewhere these do nothing).
 */
public final class OwnerOnly {

  public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private OwnerOnly() {}

  /** The attribute that creates a file owner-only, for {@code Files.createFile} and the like. */
  public static FileAttribute<?>[] fileAttributes() {
    return attributes(FILE);
  }

  /** The attribute that creates a directory owner-only. */
  public static FileAttribute<?>[] directoryAttributes() {
    return attributes(DIRECTORY);
  }

  /** Whether {@code dir} is open to nobody but its owner (always, where there are no POSIX permissions). */
  public static boolean isOwnerOnly(Path dir) throws IOException {
    return !POSIX || Files.getPosixFilePermissions(dir).equals(DIRECTORY);
  }

  /** Creates {@code dir} (and its parents) owner-only, or tightens one that exists. */
  public static Path directory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, directoryAttributes());
    }
    if (POSIX) {
      Files.setPosixFilePermissions(dir, DIRECTORY);
    }
    return dir;
  }

  /**
   * Makes a regular file owner-only (a link is left alone); creates it empty first, owner-only from
   * the start, when {@code create} is set and there is none.
   */
  public static void file(Path file, boolean create) throws IOException {
    if (create && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      Files.createFile(file, fileAttributes());
    }
    if (POSIX && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      Files.setPosixFilePermissions(file, FILE);
    }
  }

  /**
   * Writes {@code text} to {@code target} whole or not at all: a temporary file beside it, owner-only
   * from the start, moved over the old one, so that a reader (or a crash) sees the old file or the
   * new one, never half of either. The directory must exist.
   */
  public static void writeString(Path target, String text) throws IOException {
    write(target, text.getBytes(StandardCharsets.UTF_8), "." + target.getFileName());
  }

  /** As {@link #writeString}, with the temporary file named {@code <tempPrefix><n>.tmp}, for a reader that sweeps up those a crash left. */
  public static void write(Path target, byte[] bytes, String tempPrefix) throws IOException {
    Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), tempPrefix, ".tmp", fileAttributes());
    try {
      Files.write(temp, bytes);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Makes every directory under {@code root} (itself included) owner-only and every regular file in
   * them; links are left alone, and what goes while this walks is skipped.
   */
  public static void tree(Path root) throws IOException {
    if (!POSIX) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
        Files.setPosixFilePermissions(dir, DIRECTORY);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        if (attributes.isRegularFile()) {
          setIfThere(file, FILE);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
  }

  private static void setIfThere(Path file, Set<PosixFilePermission> permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(file, permissions);
    } catch (NoSuchFileException gone) {
      // a temporary file its program removed meanwhile
    }
  }

  private static FileAttribute<?>[] attributes(Set<PosixFilePermission> permissions) {
    return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
  }
}
