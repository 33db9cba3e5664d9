package dev.ollamabridge.console;

import dev.ollamabridge.console.store.DataDirectory;
import dev.ollamabridge.console.supervise.StopAll;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ollama-bridge console stop-all}: what a stopped console leaves running on purpose (its bridges
 * and its nginx, so that a console restart drops no traffic), stopped for good: nginx first, letting it
 * finish the requests it has, then every bridge, each finishing its own.
 */
@Command(
    name = "stop-all",
    mixinStandardHelpOptions = true,
    description = "Stop the nginx and every bridge that consoles on this data directory left running (stop the"
        + " console first). Each finishes its requests; one still running after --wait is killed. The next"
        + " console start starts them again.")
final class StopAllCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--data", defaultValue = "./data",
      description = "The console's data directory (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--wait", defaultValue = "30", paramLabel = "SECONDS",
      description = "How long nginx, then the bridges, may take to finish their requests before they are killed"
          + " (default: ${DEFAULT-VALUE}).")
  int waitSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (waitSeconds < 0 || waitSeconds > 3600) {
      err.println("stop-all: --wait must be 0 to 3600 seconds");
      return 2;
    }
    if (!Files.isDirectory(data.resolve("run"))) {
      out.println("Nothing to stop: " + data.toAbsolutePath().normalize() + " has no run directory.");
      return 0;
    }
    // held while stopping, so that no console starts in between and adopts what is being stopped
    try (DataDirectory held = DataDirectory.lock(data)) {
      List<StopAll.Stopped> stopped = new StopAll(held.path().resolve("run"))
          .stop("nginx", Duration.ofSeconds(waitSeconds));
      if (stopped.isEmpty()) {
        out.println("Nothing was running.");
      }
      for (StopAll.Stopped each : stopped) {
        out.println((each.killed() ? "Killed " : "Stopped ") + each.name() + " (pid " + each.pid() + ")"
            + (each.killed() ? ": it still ran " + waitSeconds + " s after it was asked to stop" : ""));
      }
      out.flush();
      return 0;
    } catch (DataDirectory.InUse e) {
      err.println("stop-all: a console is running on " + data.toAbsolutePath().normalize()
          + ": stop it first (Ctrl-C), then run stop-all again");
      return 1;
    } catch (DataDirectory.NotPrivate e) {
      err.println("stop-all: " + e.getMessage());
      return 1;
    }
  }
}
