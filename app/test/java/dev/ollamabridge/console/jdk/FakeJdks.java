package dev.ollamabridge.console.jdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

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

  /** The lines {@link #wrappingThisJvm} wrote: one per launch. */
  public static java.util.List<String> launches(Path home) throws IOException {
    Path log = home.resolve("launches");
    return Files.exists(log) ? Files.readAllLines(log) : java.util.List.of();
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
