package dev.ollamabridge.console.nginx;

import dev.ollamabridge.console.files.GeneratedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the logs of an nginx the console or an agent runs from growing without bound: every round,
 * each of {@link #FILES} past the limit is moved to {@code NAME.1} (replacing the one before), then
 * nginx is told to reopen its logs, so that it writes on in a new file. nginx runs with the umask
 * {@code 077} (see {@link ManagedNginx}), so the new files are {@code 0600} as the old ones; a move
 * keeps a file's mode.
 *
 * <p>The answers log is not among them: {@code NginxAnswers} reads it to its end and moves it aside
 * itself. A system nginx's logs are not the console's: the system's logrotate owns {@code /var/log/nginx}.
 */
public final class NginxLogRotation implements AutoCloseable {

  /** The logs rotated here, in nginx's {@code logs/} directory. */
  public static final List<String> FILES = List.of("access.log",
      Path.of(GeneratedFiles.REQUESTS_LOG).getFileName().toString(), "error.log");
  /** How often the sizes are looked at: a log grows past its limit by at most a minute of traffic. */
  public static final Duration EVERY = Duration.ofMinutes(1);
  private static final Logger log = LoggerFactory.getLogger(NginxLogRotation.class);

  private final Path logs;
  private final LongSupplier maxBytes;
  private final Runnable reopen;
  private final ScheduledExecutorService timer;

  private NginxLogRotation(Path logs, LongSupplier maxBytes, Runnable reopen, Duration every) {
    this.logs = logs;
    this.maxBytes = maxBytes;
    this.reopen = reopen;
    this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "nginx-log-rotation");
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleWithFixedDelay(this::round, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Rotates the logs in {@code logs} every {@code every}, until closed.
   *
   * @param maxBytes the size past which a log is moved aside, asked at every round (a setting may change)
   * @param reopen has nginx reopen its logs, once a round in which one was moved aside
   */
  public static NginxLogRotation start(Path logs, LongSupplier maxBytes, Runnable reopen, Duration every) {
    return new NginxLogRotation(logs, maxBytes, reopen, every);
  }

  /** One round: the logs past the limit moved aside and nginx told to reopen them; the names of those moved. */
  public synchronized List<String> rotate() {
    long limit = maxBytes.getAsLong();
    List<String> moved = new ArrayList<>();
    for (String name : FILES) {
      Path file = logs.resolve(name);
      try {
        if (Files.isRegularFile(file) && Files.size(file) > limit) {
          Files.move(file, logs.resolve(name + ".1"), StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
          moved.add(name);
        }
      } catch (NoSuchFileException e) {
        // gone between the look and the move: nothing to rotate
      } catch (IOException e) {
        log.warn("nginx: could not rotate {}: {}", file, e.toString());
      }
    }
    if (!moved.isEmpty()) {
      reopen.run(); // until nginx reopens them, it writes on at the end of NAME.1, which is where those lines belong
      log.info("nginx: rotated {} past {} bytes in {}", moved, limit, logs);
    }
    return moved;
  }

  private void round() {
    try {
      rotate();
    } catch (RuntimeException e) {
      log.warn("nginx: a log rotation round failed: {}", e.toString()); // the next round tries again
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
