package dev.ollamabridge.console.supervise;

import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Programs and policies for supervising in tests: the project's fake backend, and small shell scripts. */
final class TestPrograms {

  private TestPrograms() {}

  /** Quick to start, retry and stop: startsecs 500 ms, 2 retries, backoff 50-200 ms, stop wait 1 s. */
  static SupervisePolicy quickPolicy() {
    return new SupervisePolicy(Duration.ofMillis(500), 2, Duration.ofMillis(50), Duration.ofMillis(200), true,
        Duration.ofSeconds(1), 50L * 1024 * 1024, 10);
  }

  /** The built-in fake backend in a JVM of its own; it answers {@code GET /} once it listens. */
  static ProgramSpec fakeOllama(String name, Path workDir) {
    int port = TestPorts.listenPort();
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        "dev.ollamabridge.Main", "fake-ollama", "-l", "127.0.0.1:" + port);
    return new ProgramSpec(name, command, workDir, "127.0.0.1", port, "http://127.0.0.1:" + port + "/");
  }

  /** A shell script that listens nowhere: no health URL, so being alive for startsecs makes it RUNNING. */
  static ProgramSpec shell(String name, Path workDir, String script) {
    return new ProgramSpec(name, List.of("sh", "-c", script), workDir, "127.0.0.1", TestPorts.listenPort(), null);
  }

  /**
   * The program with the markers the console gives its bridges, naming {@code dataDir} and the program,
   * added to its command: before the main class for a JVM, as the script's {@code $0 $1} for a shell.
   */
  static ProgramSpec marked(ProgramSpec spec, Path dataDir) {
    List<String> markers = List.of("-Dollamabridge.data=" + dataDir, "-Dollamabridge.program=" + spec.name());
    List<String> command = new ArrayList<>(spec.command());
    command.addAll(command.get(0).endsWith("java") ? 1 : command.size(), markers);
    return new ProgramSpec(spec.name(), command, spec.environment(), spec.workDir(), spec.host(), spec.port(),
        spec.healthUrl(), markers);
  }

  /** A shell that runs until it is stopped and keeps its command line, which {@code exec} would replace. */
  static ProgramSpec loop(String name, Path workDir) {
    return shell(name, workDir, "while :; do sleep 0.1; done");
  }

}
