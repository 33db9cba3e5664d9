package dev.ollamabridge.console.supervise;

/**
 * Told of every state change of every program, in the order the changes happened. Called outside the
 * supervisor's locks, on whichever thread caused the change (a caller of {@link Supervisor} or one of
 * its timer threads), so it should return quickly; it may call back into the supervisor.
 */
@FunctionalInterface
public interface StateListener {

  void changed(ProgramStatus from, ProgramStatus to);
}
