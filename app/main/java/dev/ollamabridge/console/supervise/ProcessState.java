package dev.ollamabridge.console.supervise;

/**
 * The states of a supervised program, as supervisord names them
 * (<a href="http://supervisord.org/subprocess.html#process-states">Process States</a>).
 */
public enum ProcessState {
  /** Never started, or stopped on request. */
  STOPPED,
  /** Launched (or adopted) and not yet proven alive for {@code startSecs} and answering its health URL. */
  STARTING,
  /** Up and answering. */
  RUNNING,
  /** A start failed; another attempt is scheduled after a growing delay. */
  BACKOFF,
  /** Asked to stop: SIGTERM sent, SIGKILL follows after {@code stopWait}. */
  STOPPING,
  /** Exited from RUNNING; left here only when {@code autorestart} is off. */
  EXITED,
  /** Could not be started: retries used up, or its port is taken. Only a new start request leaves it. */
  FATAL
}
