package dev.ollamabridge.console.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Stops every program that consoles on a run directory launched and left running: the one named
 * {@code front} first and gracefully (nginx finishes the requests it has, with no new ones), then all
 * the others at once with SIGTERM (a bridge finishes its requests), each killed with its children if it
 * still runs after the wait. Only processes that their pid files still name (same pid, same start
 * instant) are touched; their pid files are deleted.
 */
public final class StopAll {

  /** A program stopped: {@code killed} when it had to be sent SIGKILL. */
  public record Stopped(String name, long pid, boolean killed) {}

  private final PidFiles pidFiles;
  private final Path runDir;

  public StopAll(Path runDir) {
    this.runDir = runDir;
    this.pidFiles = new PidFiles(runDir);
  }

  /**
   * @param front the program that takes traffic in (nginx), stopped before the rest, with SIGQUIT
   * @param wait how long each step waits for its programs to end before it kills them
   */
  public List<Stopped> stop(String front, Duration wait) throws IOException {
    List<Stopped> stopped = new ArrayList<>();
    List<String> names = names();
    if (names.remove(front)) {
      pidFiles.liveProcess(front).ifPresent(process -> {
        quit(process);
        stopped.addAll(awaitEnd(List.of(new Running(front, process)), wait));
      });
    }
    List<Running> rest = new ArrayList<>();
    for (String name : names) {
      pidFiles.liveProcess(name).ifPresent(process -> {
        process.destroy();
        rest.add(new Running(name, process));
      });
    }
    stopped.addAll(awaitEnd(rest, wait));
    stopped.forEach(each -> pidFiles.delete(each.name()));
    return stopped;
  }

  private record Running(String name, ProcessHandle process) {}

  private List<String> names() throws IOException {
    if (!Files.isDirectory(runDir)) {
      return new ArrayList<>();
    }
    try (Stream<Path> files = Files.list(runDir)) {
      return new ArrayList<>(files.map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith(".pid"))
          .map(name -> name.substring(0, name.length() - ".pid".length()))
          .sorted()
          .toList());
    }
  }

  /** nginx's graceful shutdown is SIGQUIT, which Java cannot send itself; SIGTERM (its fast one) if kill cannot run. */
  private static void quit(ProcessHandle process) {
    try {
      Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) {
        return;
      }
      kill.destroyForcibly();
    } catch (IOException e) {
      // no kill(1) here: the fast shutdown it is
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroy();
  }

  /** Waits up to {@code wait} for all of them together, then kills what still runs, with its children. */
  private static List<Stopped> awaitEnd(List<Running> running, Duration wait) {
    CompletableFuture<?> all = CompletableFuture.allOf(running.stream()
        .map(each -> each.process().onExit()).toArray(CompletableFuture[]::new));
    try {
      all.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // those still running are killed below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Stopped> stopped = new ArrayList<>();
    for (Running each : running) {
      boolean killed = each.process().isAlive();
      if (killed) {
        List<ProcessHandle> children = each.process().descendants().toList();
        each.process().destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        awaitExit(each.process());
      }
      stopped.add(new Stopped(each.name(), each.process().pid(), killed));
    }
    return stopped;
  }

  private static void awaitExit(ProcessHandle process) {
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // SIGKILL cannot be refused; the kernel ends it soon
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
