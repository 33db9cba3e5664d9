package dev.ollamabridge.console;

import dev.ollamabridge.testing.NetworkHosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real agent process, as an operator runs it from the join command the console showed: on this
 * machine, or inside a test host's network namespace. Its output goes to a file the test reads.
 */
final class AgentProcess implements AutoCloseable {

  private static final AtomicInteger RUNS = new AtomicInteger();

  private final Process process;
  private final Path output;

  private AgentProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /**
   * Runs the command of {@code POST /hosts} with this host's address and data directory in place of
   * the command's placeholders; in {@code net}'s namespace for {@code host} when {@code net} is given.
   */
  static AgentProcess joining(String command, String advertise, Path data, NetworkHosts net, String host) {
    List<String> flags = new ArrayList<>();
    String[] words = command.split(" ");
    for (int i = List.of(words).indexOf("agent") + 1; i < words.length; i++) {
      flags.add(switch (words[i]) {
        case "ADDRESS-OF-THIS-HOST" -> advertise;
        case "./agent-data" -> data.toString();
        default -> words[i];
      });
    }
    return start(flags, data, net, host);
  }

  /** {@code ollama-bridge agent <flags>}, in {@code net}'s namespace for {@code host} when {@code net} is given. */
  static AgentProcess start(List<String> flags, Path data, NetworkHosts net, String host) {
    return start(List.of(), flags, data, net, host);
  }

  /**
   * The agent on a host that lacks a directory the others have (e.g. nginx's modules): an empty one
   * is mounted over it in the mount namespace of {@code ip netns exec}, which the root namespace and
   * the other hosts never see.
   */
  static AgentProcess startWithout(Path hidden, Path empty, List<String> flags, Path data, NetworkHosts net, String host) {
    return start(List.of("/bin/sh", "-c", "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"",
        "agent-without", empty.toString(), hidden.toString()), flags, data, net, host);
  }

  private static AgentProcess start(List<String> wrapper, List<String> flags, Path data, NetworkHosts net, String host) {
    List<String> argv = new ArrayList<>(wrapper);
    argv.addAll(List.of(TestConsoles.THIS_JAVA, "-cp", System.getProperty("java.class.path"),
        "dev.ollamabridge.Main", "agent"));
    argv.addAll(flags);
    try {
      Files.createDirectories(data.getParent());
      Path output = data.resolveSibling(data.getFileName() + "-" + RUNS.incrementAndGet() + ".out");
      Process process = new ProcessBuilder(net == null ? argv : net.command(host, argv)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
      return new AgentProcess(process, output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What it printed so far. */
  String output() {
    try {
      return Files.exists(output) ? Files.readString(output) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Waits for it to end by itself; its exit code. */
  int exitCode() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("the agent did not end within 60 s: " + output());
    }
    return process.exitValue();
  }

  /** kill -9: a crash, which leaves its bridges running. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
  }
}
