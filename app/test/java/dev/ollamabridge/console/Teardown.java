package dev.ollamabridge.console;

/**
 * A teardown that runs every step, each in its own try: a step that throws (a console that cannot
 * answer, a fixture that never started) does not skip the steps after it. The first failure is
 * thrown at the end with the others suppressed; whatever processes are still left are killed by
 * {@link dev.ollamabridge.testing.LeftoverProcesses}.
 */
final class Teardown {

  /** One cleanup step; it may throw anything, a checked exception or an {@link AssertionError} alike. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  private Teardown() {}

  /** The step that closes this, if there is one: a field a test never got to set is null. */
  static Step closing(AutoCloseable closeable) {
    return () -> {
      if (closeable != null) {
        closeable.close();
      }
    };
  }

  static void run(Step... steps) {
    Throwable first = null;
    for (Step step : steps) {
      try {
        step.run();
      } catch (Exception | AssertionError e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (first instanceof AssertionError assertion) {
      throw assertion;
    }
    if (first != null) {
      throw new IllegalStateException("a teardown step failed", first);
    }
  }
}
