package dev.ollamabridge.console.nginx;

import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file so that a reader sees the old one or the new one, never half of either. The file is
 * its owner's only ({@code 0600}), and so is a directory made for it ({@code 0700}).
 */
final class AtomicFiles {

  private AtomicFiles() {}

  static void write(Path target, String text) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, OwnerOnly.directoryAttributes());
    }
    Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", OwnerOnly.fileAttributes());
    try {
      Files.writeString(temp, text);
      move(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void copy(Path from, Path to) throws IOException {
    write(to, Files.readString(from));
  }
}
