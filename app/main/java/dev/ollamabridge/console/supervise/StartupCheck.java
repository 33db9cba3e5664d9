package dev.ollamabridge.console.supervise;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Judges one start attempt: the process must stay alive for {@code startSecs} and its health URL must
 * answer; it has {@code startSecs + grace} to get there. Asked every few hundred milliseconds, it keeps
 * at most one probe in flight and remembers an answer once one came.
 */
final class StartupCheck {

  enum Verdict { READY, WAITING, TOO_LATE }

  private final String healthUrl;
  private final Duration startSecs;
  private final Duration deadline;
  private final ReadinessProbe probe;
  private final long sinceNanos = System.nanoTime();
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile boolean answered;

  /** {@code healthUrl} null: being alive for {@code startSecs} is enough. */
  StartupCheck(String healthUrl, Duration startSecs, Duration grace, ReadinessProbe probe) {
    this.healthUrl = healthUrl;
    this.startSecs = startSecs;
    this.deadline = startSecs.plus(grace);
    this.probe = probe;
    this.answered = healthUrl == null;
  }

  Verdict check() {
    long elapsed = System.nanoTime() - sinceNanos;
    if (answered && elapsed >= startSecs.toNanos()) {
      return Verdict.READY;
    }
    if (elapsed >= deadline.toNanos()) {
      return Verdict.TOO_LATE;
    }
    if (!answered && probing.compareAndSet(false, true)) {
      probe.answers(healthUrl).thenAccept(ok -> {
        if (ok) {
          answered = true;
        }
        probing.set(false);
      });
    }
    return Verdict.WAITING;
  }

  String whyTooLate() {
    return "did not answer " + healthUrl + " within " + SupervisedProgram.seconds(deadline);
  }
}
