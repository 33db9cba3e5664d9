package dev.ollamabridge.console.supervise;

import java.time.Duration;

/**
 * supervisord's knobs for how programs are started, restarted and stopped, and how their logs rotate.
 *
 * @param startSecs how long a new process must stay alive (and its health URL must answer) before it is
 *     RUNNING — supervisord's {@code startsecs}
 * @param startRetries how many times a failed start is retried before the program is FATAL, so a program
 *     gets {@code 1 + startRetries} attempts in a row — supervisord's {@code startretries}
 * @param backoffBase the delay before the first retry; each further retry waits twice as long (±20%
 *     jitter so that programs failing together do not retry together)
 * @param backoffCap the longest delay between retries
 * @param autorestart whether a program that exits from RUNNING is started again
 * @param stopWait how long a stop waits after SIGTERM before SIGKILL — supervisord's {@code stopwaitsecs}
 * @param logMaxBytes the size at which a program's log is rotated; 0 never rotates — {@code stdout_logfile_maxbytes}
 * @param logBackups how many rotated logs ({@code <name>.log.1} …) are kept — {@code stdout_logfile_backups}
 */
public record SupervisePolicy(
    Duration startSecs,
    int startRetries,
    Duration backoffBase,
    Duration backoffCap,
    boolean autorestart,
    Duration stopWait,
    long logMaxBytes,
    int logBackups) {

  public SupervisePolicy {
    requireNotNegative("startSecs", startSecs);
    requireNotNegative("stopWait", stopWait);
    requireNotNegative("backoffBase", backoffBase);
    requireNotNegative("backoffCap", backoffCap);
    if (backoffBase.isZero()) {
      throw new IllegalArgumentException("backoffBase must be positive, e.g. 1s");
    }
    if (backoffCap.compareTo(backoffBase) < 0) {
      throw new IllegalArgumentException(
          "backoffCap (" + backoffCap + ") must be at least backoffBase (" + backoffBase + ")");
    }
    if (startRetries < 0) {
      throw new IllegalArgumentException("startRetries is " + startRetries + "; it must be 0 or more");
    }
    if (logMaxBytes < 0) {
      throw new IllegalArgumentException("logMaxBytes is " + logMaxBytes + "; it must be 0 (never rotate) or more");
    }
    if (logBackups < 0) {
      throw new IllegalArgumentException("logBackups is " + logBackups + "; it must be 0 or more");
    }
  }

  /**
   * startsecs 2 s, 3 retries, backoff from 1 s doubling up to 30 s, autorestart, stop wait 10 s, logs of
   * 50 MiB with 10 backups (as the seed's supervisor file has them).
   */
  public static SupervisePolicy defaults() {
    return new SupervisePolicy(
        Duration.ofSeconds(2), 3, Duration.ofSeconds(1), Duration.ofSeconds(30), true,
        Duration.ofSeconds(10), 50L * 1024 * 1024, 10);
  }

  /** The delay before the retry that follows the {@code failures}-th failed start in a row, before jitter. */
  Duration backoffAfter(int failures) {
    int doublings = Math.max(0, failures - 1);
    long base = backoffBase.toMillis();
    long cap = backoffCap.toMillis();
    if (doublings >= Long.SIZE - 1 || base > cap >> doublings) {
      return backoffCap;
    }
    return Duration.ofMillis(base << doublings);
  }

  private static void requireNotNegative(String knob, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(knob + " is " + value + "; it must be a duration of 0 or more");
    }
  }
}
