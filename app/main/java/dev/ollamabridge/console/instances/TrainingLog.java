package dev.ollamabridge.console.instances;

import dev.ollamabridge.logs.LogText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The log of the archive's training run: the output of its processes, line by line, appended to one
 * file, and where each said it listens, as the bridge and the fake backend log it once they are bound
 * ({@code … listening on http://127.0.0.1:40123 …}): they are started on port 0 and tell which port.
 */
final class TrainingLog implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on (http://[^\\s]+)");
  private static final Duration ANNOUNCE = Duration.ofSeconds(60);
  private static final int LAST_LINE = 200;

  private final Writer file;

  /** Appends to {@code file}, which the caller has made its owner's only. */
  TrainingLog(Path file) throws IOException {
    this.file = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /**
   * Copies the process's output into the log until it ends, and answers the base URL it says it
   * listens on, e.g. {@code http://127.0.0.1:40123}.
   *
   * @throws IOException when it ends, or a minute passes, before it says so
   */
  String listeningAddress(Process process, String what) throws IOException, InterruptedException {
    CompletableFuture<String> address = new CompletableFuture<>();
    Thread copier = new Thread(() -> copy(process, address, what), "bridge-archive-log");
    copier.setDaemon(true);
    copier.start();
    try {
      return address.get(ANNOUNCE.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException(what + " did not say where it listens within " + ANNOUNCE.toSeconds() + " s");
    }
  }

  private void copy(Process process, CompletableFuture<String> address, String what) {
    String last = null;
    try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        write(line);
        last = line.isBlank() ? last : line;
        Matcher listening = LISTENING.matcher(line);
        if (!address.isDone() && listening.find()) {
          address.complete(listening.group(1));
        }
      }
    } catch (IOException e) {
      // the process is gone, or the log closed: what was written stays
    }
    if (!address.isDone()) {
      address.completeExceptionally(new IOException(what + " ended without saying where it listens"
          + exitCode(process) + (last == null ? "" : "; its last line: " + LogText.oneLine(last.strip(), LAST_LINE))));
    }
  }

  /** {@code " (exit 1)"}, once the process has ended; empty if it is still running after its output closed. */
  private static String exitCode(Process process) {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? " (exit " + process.exitValue() + ")" : "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private synchronized void write(String line) throws IOException {
    file.write(line);
    file.write('\n');
    file.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    file.close();
  }
}
