package dev.ollamabridge.console.jdk;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The JDKs of this machine, looked for where they are usually kept: {@code $JAVA_HOME}, each
 * directory under {@code /usr/lib/jvm}, the console's own runtime, then the first {@code java} on
 * the {@code PATH}. A JDK reached several ways (Debian keeps links beside its JDKs) counts once,
 * at its real path; one without a release file is passed over.
 *
 * @param javas the {@code java} executables to look at, in this order
 * @param own the runtime the console runs on
 */
public record JdkSearch(List<Path> javas, Jdk own) {

  /** The oldest feature release worth choosing over the console's own: it has virtual threads. */
  public static final int PREFERRED = 21;
  /** What bridge.java says when the console should choose. */
  public static final String AUTO = "auto";

  public JdkSearch {
    javas = List.copyOf(javas);
  }

  /** This machine's places, as the console sees them. */
  public static JdkSearch ofThisMachine() {
    return of(System.getenv(), Path.of("/usr/lib/jvm"), Jdk.running());
  }

  /**
   * The places of a machine whose environment ({@code JAVA_HOME}, {@code PATH}) is {@code environment}
   * and whose JDKs live in the directories under {@code jvmRoot}.
   */
  public static JdkSearch of(Map<String, String> environment, Path jvmRoot, Jdk own) {
    List<Path> javas = new ArrayList<>();
    path(environment.get("JAVA_HOME")).ifPresent(home -> javas.add(home.resolve("bin").resolve("java")));
    try (Stream<Path> homes = Files.list(jvmRoot)) {
      homes.sorted().forEach(home -> javas.add(home.resolve("bin").resolve("java")));
    } catch (IOException e) {
      // no such directory: not a Debian-style layout
    }
    javas.add(own.java());
    for (String dir : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
      Optional<Path> java = path(dir).map(d -> d.resolve("java")).filter(Files::isExecutable);
      if (java.isPresent()) {
        javas.add(java.get());
        break;
      }
    }
    return new JdkSearch(javas, own);
  }

  /** Every JDK found, once each, in search order. */
  public List<Jdk> found() {
    Map<Path, Jdk> byRealPath = new LinkedHashMap<>();
    for (Path java : javas) {
      if (!Files.isExecutable(java)) {
        continue;
      }
      try {
        Path real = java.toRealPath();
        if (!byRealPath.containsKey(real)) {
          Jdk.at(real).ifPresent(jdk -> byRealPath.put(real, jdk));
        }
      } catch (IOException e) {
        // gone while we looked
      }
    }
    return List.copyOf(byRealPath.values());
  }

  /**
   * The java the bridges run on, from the bridge.java setting: {@value #AUTO} takes the newest JDK
   * found of feature release {@value #PREFERRED} or later (the first found of equal versions), else the
   * console's own runtime; a path is checked by {@link Jdk#requireForBridges}.
   */
  public BridgeJava forBridges(String setting) {
    if (!setting.equals(AUTO)) {
      return new BridgeJava(setting, Jdk.requireForBridges(setting), "named by bridge.java");
    }
    return found().stream()
        .filter(jdk -> jdk.feature() >= PREFERRED)
        .sorted(Jdk.NEWEST_FIRST)
        .findFirst()
        .map(jdk -> new BridgeJava(setting, jdk, "the newest JDK " + PREFERRED + " or later found"))
        .orElseGet(() -> new BridgeJava(setting, own, "no JDK " + PREFERRED + " or later found: the console's own runtime"));
  }

  private static Optional<Path> path(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      Path path = Path.of(text);
      return path.isAbsolute() ? Optional.of(path) : Optional.empty();
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }
}
