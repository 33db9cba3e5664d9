package dev.ollamabridge.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Finds what under a directory its owner's group or anybody else may read, write or enter. */
public final class OpenToOthers {

  private static final Set<PosixFilePermission> OWNER = Set.of(PosixFilePermission.OWNER_READ,
      PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

  private OpenToOthers() {}

  /** Each file and directory under {@code root} (itself included) with a group or other bit, as "mode path"; links are not followed. */
  public static List<String> under(Path root) {
    List<String> open = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(root)) {
      paths.forEach(path -> {
        try {
          if (Files.isSymbolicLink(path)) {
            return;
          }
          Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
          if (!OWNER.containsAll(mode)) {
            open.add(PosixFilePermissions.toString(mode) + " " + root.relativize(path));
          }
        } catch (NoSuchFileException gone) {
          // a temporary file that went while we looked
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return open;
  }
}
