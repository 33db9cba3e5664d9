package dev.ollamabridge.console.nginx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command (an argv, never a shell) to its end and keeps what it printed. */
public final class Commands {

  /** How a command ended: its exit code (-1 when it could not run or timed out) and its output. */
  public record Outcome(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private Commands() {}

  static Outcome run(List<String> argv) {
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output;
      try (InputStream in = process.getInputStream()) {
        output = new String(in.readNBytes(256 * 1024), StandardCharsets.UTF_8);
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Outcome(-1, output + "\n(" + String.join(" ", argv) + " did not finish within 60 s)");
      }
      return new Outcome(process.exitValue(), output.strip());
    } catch (IOException e) {
      return new Outcome(-1, "could not run " + argv.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(-1, "interrupted while running " + argv.get(0));
    }
  }
}
