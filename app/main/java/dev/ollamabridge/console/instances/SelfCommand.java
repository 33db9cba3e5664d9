package dev.ollamabridge.console.instances;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start this program again in a new JVM: the same java and the same jar the console runs
 * on (or, when run from classes as in tests, the same class path).
 */
public record SelfCommand(String java, List<String> launcher) {

  /** The entry point of the jar; named, not imported, so this room does not lean on the one above it. */
  private static final String MAIN_CLASS = "dev.ollamabridge.Main";

  public static SelfCommand current() {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path location;
    try {
      location = Path.of(SelfCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot tell where the program's classes are", e);
    }
    List<String> launcher = Files.isRegularFile(location)
        ? List.of("-jar", location.toString())
        : List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS);
    return new SelfCommand(java, launcher);
  }

  /** Whether it runs from the jar (as users run it) rather than from a class path of directories (as tests do). */
  public boolean runsJar() {
    return launcher.get(0).equals("-jar");
  }

  /** The same program on another java. */
  public SelfCommand onJava(String otherJava) {
    return new SelfCommand(otherJava, launcher);
  }

  /** The argv of {@code ollama-bridge <args>} with the given JVM flags. */
  public List<String> command(List<String> jvmFlags, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmFlags);
    command.addAll(launcher);
    command.addAll(args);
    return command;
  }
}
