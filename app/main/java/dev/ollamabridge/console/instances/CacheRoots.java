package dev.ollamabridge.console.instances;

import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where instances may keep their caches: {@code <data>/cache}, and the roots the operator adds
 * ({@code --cache-roots}). A cache dir is compared by its canonical path (symbolic links resolved),
 * so {@code ../../etc}, a link out of a root, or two spellings of one directory are all seen for
 * what they are.
 */
public final class CacheRoots {

  private final List<Path> roots;

  /** @param operatorRoots ':'-separated absolute paths, or empty */
  public CacheRoots(Path dataDir, String operatorRoots) {
    List<Path> all = new ArrayList<>();
    try {
      all.add(canonical(OwnerOnly.directory(dataDir.resolve("cache"))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dataDir.resolve("cache") + ": " + e.getMessage(), e);
    }
    if (!operatorRoots.isEmpty()) {
      for (String root : operatorRoots.split(":")) {
        all.add(canonical(Path.of(root)));
      }
    }
    this.roots = List.copyOf(all);
  }

  /** An instance's own cache dir when none is given: {@code <data>/cache/<name>}. */
  public String defaultFor(String name) {
    return roots.get(0).resolve(name).toString();
  }

  /**
   * The canonical form of a cache dir the user gave (a relative one lies under {@code <data>/cache}),
   * or {@link InvalidInput} when it is not strictly inside a root or names something other than a directory.
   */
  public String confine(String cacheDir) {
    Path given = Path.of(cacheDir);
    Path path = canonical(given.isAbsolute() ? given : roots.get(0).resolve(given));
    if (roots.stream().noneMatch(root -> path.startsWith(root) && !path.equals(root))) {
      throw new InvalidInput("cache_dir", "cache_dir must lie inside " + describe() + " (it is " + path
          + "); an operator can allow more with the console's --cache-roots flag");
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidInput("cache_dir", "cache_dir " + path + " exists and is not a directory");
    }
    return path.toString();
  }

  /** Whether two cache dirs are one, or one lies inside the other: either would prune the other's entries. */
  public static boolean overlap(String a, String b) {
    Path first = Path.of(a);
    Path second = Path.of(b);
    return first.startsWith(second) || second.startsWith(first);
  }

  private String describe() {
    return roots.size() == 1 ? roots.get(0).toString() : "one of " + roots;
  }

  /** The absolute path with every link in its existing part resolved, and the rest normalized. */
  private static Path canonical(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return absolute;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve " + existing + ": " + e.getMessage(), e);
    }
  }
}
