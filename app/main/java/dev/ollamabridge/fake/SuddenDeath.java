package dev.ollamabridge.fake;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Kills the process in the middle of the N-th generation answer ({@code --die-after N}), so tests
 * of a supervisor or a bridge can watch a backend vanish with a stream half sent.
 */
final class SuddenDeath {

  private final long fatalGeneration;
  private final Runnable halt;
  private final AtomicLong generations = new AtomicLong();

  private SuddenDeath(long fatalGeneration, Runnable halt) {
    this.fatalGeneration = fatalGeneration;
    this.halt = halt;
  }

  static SuddenDeath never() {
    return new SuddenDeath(0, () -> {});
  }

  /** Halts with {@code halt} during generation number {@code n} (1-based); 0 means never. */
  static SuddenDeath during(long n, Runnable halt) {
    if (n < 0) {
      throw new IllegalArgumentException("--die-after must be 0 (never) or more (got " + n + ")");
    }
    return new SuddenDeath(n, halt);
  }

  /** Counts a generation that is about to be answered; true if it is the one to die in. */
  boolean generationStarting() {
    return fatalGeneration > 0 && generations.incrementAndGet() == fatalGeneration;
  }

  void strike() {
    halt.run();
  }
}
