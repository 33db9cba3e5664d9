package dev.ollamabridge.console.jdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Java runtime on this machine: its {@code java} executable and the version that the
 * {@code release} file of its home declares ({@code JAVA_VERSION="25.0.1"}), read without starting it.
 */
public record Jdk(Path java, String version) {

  /** The oldest feature release a bridge runs on. */
  public static final int OLDEST_FOR_BRIDGES = 17;

  /** Newest first: by feature release, then by the whole version where both parse. */
  static final Comparator<Jdk> NEWEST_FIRST = Comparator.comparingInt(Jdk::feature)
      .thenComparing(Jdk::comparableVersion, Comparator.nullsFirst(Comparator.naturalOrder()))
      .reversed();

  private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"([^\"]+)\"\\s*$", Pattern.MULTILINE);
  private static final Pattern LEADING_NUMBER = Pattern.compile("^(\\d{1,4})");
  /** What may be written in bridge.java: it reaches argv arrays and supervisor.conf. */
  private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/+-]{1,255}");

  /** The feature release: 25 for {@code 25.0.1}, 8 for {@code 1.8.0_392}; 0 when the text says none. */
  public int feature() {
    Matcher number = LEADING_NUMBER.matcher(version.startsWith("1.") ? version.substring(2) : version);
    return number.find() ? Integer.parseInt(number.group(1)) : 0;
  }

  /**
   * The runtime whose {@code bin/java} this is, with the version of its release file; empty when
   * there is no such file or it names no version (not a JDK layout, or not readable).
   */
  public static Optional<Jdk> at(Path java) {
    Path home;
    try {
      // /usr/bin/java is a chain of links to a JDK's bin/java; its release file is beside that bin/
      Path real = java.toRealPath();
      home = real.getParent() == null ? null : real.getParent().getParent();
    } catch (IOException e) {
      return Optional.empty();
    }
    if (home == null) {
      return Optional.empty();
    }
    try {
      Matcher declared = JAVA_VERSION.matcher(Files.readString(home.resolve("release")));
      return declared.find() ? Optional.of(new Jdk(java, declared.group(1))) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The runtime this program runs on; its version from the JVM when its home has no release file. */
  public static Jdk running() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return at(java).orElseGet(() -> new Jdk(java, Runtime.version().feature() + "." + Runtime.version().interim()
        + "." + Runtime.version().update()));
  }

  /**
   * The java an operator named for the bridges, checked: an absolute path of plain characters to an
   * executable called {@code java} whose JDK declares version 17 or newer. The message of the
   * {@link IllegalArgumentException} states the rule that {@code path} breaks.
   */
  public static Jdk requireForBridges(String path) {
    if (!SAFE_PATH.matcher(path).matches()) {
      throw new IllegalArgumentException("must be auto or an absolute path of letters, digits, '.', '_', '+', '-'"
          + " and '/', such as /usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    }
    Path java = Path.of(path);
    if (!java.getFileName().toString().equals("java")) {
      throw new IllegalArgumentException("must name a java executable (<JDK>/bin/java); " + path + " is not called java");
    }
    if (!Files.isRegularFile(java) || !Files.isExecutable(java)) {
      throw new IllegalArgumentException("must name an existing executable file; " + path + " is not one");
    }
    Jdk jdk = at(java).orElseThrow(() -> new IllegalArgumentException("must be the java of a JDK whose home has a"
        + " release file declaring JAVA_VERSION; " + path + " has none beside its bin/"));
    if (jdk.feature() < OLDEST_FOR_BRIDGES) {
      throw new IllegalArgumentException("must be the java of a JDK " + OLDEST_FOR_BRIDGES + " or newer; " + path
          + " is Java " + jdk.version());
    }
    return jdk;
  }

  private Runtime.Version comparableVersion() {
    try {
      return Runtime.Version.parse(version);
    } catch (IllegalArgumentException unusual) {
      return null; // compared by feature release only
    }
  }
}
