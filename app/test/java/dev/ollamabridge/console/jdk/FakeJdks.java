package dev.ollamabridge.console.jdk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** JDK layouts in a temp dir: a home with a {@code release} file and a {@code bin/java} script. */
public final class FakeJdks {

  private FakeJdks() {}

  /** A JDK at {@code home} that declares {@code version}; its java does nothing. Answers its bin/java. */
  public static Path create(Path home, String version) throws IOException {
    return create(home, version, "#!/bin/sh\nexit 0\n");
  }

  /**
   * A JDK at {@code home} that declares {@code version} and whose java is the JVM running this test: it
   * appends its own path to {@code <home>/launches} first, so a test can tell that it was the one run.
   */
  public static Path wrappingThisJvm(Path home, String version) throws IOException {
    String real = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return create(home, version, "#!/bin/sh\necho \"$0\" >> '" + home.resolve("launches") + "'\nexec '" + real + "' \"$@\"\n");
  }

  /**
   * A JDK at {@code home} that declares {@code version} and whose java fails its first {@code failures}
   * launches (it prints {@code line} and exits 1, as a JVM that cannot start does) and is the java
   * {@code real} from then on. Launches are counted in {@code <home>/failed}.
   */
  public static Path failingFirst(Path home, String version, int failures, String line, String real) throws IOException {
    Path count = home.resolve("failed");
    return create(home, version, """
        #!/bin/sh
        n=$(cat '%s' 2>/dev/null || echo 0)
        if [ "$n" -lt %d ]; then
          echo $((n + 1)) > '%s'
          echo '%s'
          exit 1
        fi
        exec '%s' "$@"
        """.formatted(count, failures, count, line.replace("'", ""), real));
  }

  /**
   * A JDK at {@code home} that declares {@code version} and whose java is the JVM running this test,
   * held back until {@code gate} exists: a program launched on it stays alive but does not start (so
   * a supervised bridge stays STARTING) until the test creates that file.
   */
  public static Path heldUntil(Path home, String version, Path gate) throws IOException {
    String real = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return create(home, version, "#!/bin/sh\nwhile [ ! -e '" + gate + "' ]; do sleep 0.05; done\nexec '" + real + "' \"$@\"\n");
  }

  /**
   * A JDK at {@code home} that declares {@code version} and whose java records what it was started
   * with, as the kernel handed it over, and then stays up as a bridge would until it is stopped: its
   * argv and its environment, each NUL-separated, in {@code <records>/<name>.argv} and
   * {@code <name>.environ}, where {@code name} is supervisord's {@code SUPERVISOR_PROCESS_NAME}. Both
   * files appear whole (written aside, then renamed). Read them with {@link #recordedArgv} and
   * {@link #recordedEnvironment}.
   */
  public static Path recording(Path home, String version, Path records) throws IOException {
    Files.createDirectories(records);
    return create(home, version, """
        #!/bin/sh
        to='%s'/"${SUPERVISOR_PROCESS_NAME:-pid-$$}"
        cat /proc/$$/cmdline > "$to.argv.part" && cat /proc/$$/environ > "$to.environ.part" \
          && mv "$to.environ.part" "$to.environ" && mv "$to.argv.part" "$to.argv" || exit 1
        exec sleep 300
        """.formatted(records));
  }

  /**
   * The argv a {@link #recording} java was started with, from {@code argv[0]} (its path) on: the
   * shell that runs the script comes first in the kernel's record, and is left out.
   */
  public static Optional<List<String>> recordedArgv(Path records, String name) throws IOException {
    Path file = records.resolve(name + ".argv");
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    List<String> argv = nulSeparated(Files.readAllBytes(file));
    return Optional.of(argv.subList(1, argv.size()));
  }

  /** The environment a {@link #recording} java was started with, each variable byte for byte. */
  public static Map<String, String> recordedEnvironment(Path records, String name) throws IOException {
    Map<String, String> environment = new LinkedHashMap<>();
    for (String entry : nulSeparated(Files.readAllBytes(records.resolve(name + ".environ")))) {
      int equals = entry.indexOf('=');
      if (environment.put(entry.substring(0, equals), entry.substring(equals + 1)) != null) {
        throw new AssertionError(name + " was given " + entry.substring(0, equals) + " twice");
      }
    }
    return environment;
  }

  /** A kernel's list of strings, each ended by a NUL, decoded as UTF-8 (which the JVM's arguments are). */
  public static List<String> nulSeparated(byte[] bytes) {
    List<String> strings = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        strings.add(new String(bytes, from, i - from, StandardCharsets.UTF_8));
        from = i + 1;
      }
    }
    if (from != bytes.length) {
      throw new AssertionError("a record that does not end with a NUL: it was cut short");
    }
    return strings;
  }

  /** The lines {@link #wrappingThisJvm} wrote: one per launch. */
  public static List<String> launches(Path home) throws IOException {
    Path log = home.resolve("launches");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  private static Path create(Path home, String version, String script) throws IOException {
    Files.createDirectories(home.resolve("bin"));
    if (version != null) {
      Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\nOS_NAME=\"Linux\"\n");
    }
    Path java = home.resolve("bin").resolve("java");
    Files.writeString(java, script);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return java;
  }
}
