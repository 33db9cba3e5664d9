package dev.ollamabridge.console.metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests the managed nginx answered itself (no bridge could: every one down, an unknown model,
 * a body too large, the rate limit), counted from its answers log at each metrics round: the
 * figures the dashboard adds to the bridges' own, since no bridge counts them.
 */
public final class NginxAnswers implements AutoCloseable {

  /**
   * nginx's own answers between two reads of its log, per second.
   *
   * @param clientErrorsPerSecond answers with a 4xx status: an unknown model, a body too large, the rate limit
   * @param serverErrorsPerSecond answers with a 5xx status: no bridge answered
   */
  public record Figures(Instant at, double answersPerSecond, double clientErrorsPerSecond,
      double serverErrorsPerSecond) {

    /** Every error nginx answered, 4xx and 5xx: each is a request no bridge served. */
    public double errorsPerSecond() {
      return clientErrorsPerSecond + serverErrorsPerSecond;
    }
  }

  /** Counts since the console started, which only grow. */
  public record Totals(long answers, long errors) {}

  /** The answers log is moved aside (to {@code answers.jsonl.1}, replacing the one before) past this size. */
  static final long ROTATE_AT = 16L << 20;
  private static final Logger logger = LoggerFactory.getLogger(NginxAnswers.class);

  private final AnswerLog log;
  private final Path file;
  private final Runnable reopen;
  private final Duration window;
  private final Deque<Figures> figures = new ArrayDeque<>();
  private Instant lastRead;
  private long answers;
  private long errors;

  /**
   * @param file the answers log the managed nginx writes
   * @param window how much history is kept
   * @param reopen has nginx reopen its logs, after the answers log was moved aside
   */
  public NginxAnswers(Path file, Duration window, Runnable reopen) {
    this.log = new AnswerLog(file);
    this.file = file;
    this.reopen = reopen;
    this.window = window;
  }

  /**
   * Reads what nginx logged since the last read. The first read only sets the start: what the
   * log held before is history.
   */
  synchronized void read(Instant now) {
    AnswerLog.Counts counts = log.read();
    answers += counts.answers();
    errors += counts.clientErrors() + counts.serverErrors();
    if (lastRead != null && now.isAfter(lastRead)) {
      double seconds = Duration.between(lastRead, now).toNanos() / 1e9;
      figures.addLast(new Figures(now, counts.answers() / seconds, counts.clientErrors() / seconds,
          counts.serverErrors() / seconds));
    }
    lastRead = now;
    rotate();
    Instant oldest = now.minus(window);
    while (!figures.isEmpty() && figures.peekFirst().at().isBefore(oldest)) {
      figures.removeFirst();
    }
  }

  /** Keeps the log small: once read to its end past {@link #ROTATE_AT}, it is moved aside and nginx starts a new one. */
  private void rotate() {
    try {
      if (log.moveAside(file.resolveSibling(file.getFileName() + ".1"), ROTATE_AT)) {
        reopen.run();
      }
    } catch (IOException | RuntimeException e) {
      logger.warn("nginx: could not rotate {}: {}", file, e.toString());
    }
  }

  /** The figures of the last interval; empty until the log has been read twice. */
  public synchronized Optional<Figures> latest() {
    return Optional.ofNullable(figures.peekLast());
  }

  /** The figures over the window, oldest first. */
  public synchronized List<Figures> window() {
    return List.copyOf(figures);
  }

  public synchronized Totals totals() {
    return new Totals(answers, errors);
  }

  @Override
  public void close() {
    log.close();
  }
}
