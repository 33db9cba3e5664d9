package dev.ollamabridge.bridge;

import io.javalin.http.Context;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --max-concurrent}, {@code --queue-size}, {@code --queue-timeout}: at most N generations
 * go to the backend at once; up to Q more wait for a slot, first come first served, for at most the
 * queue timeout. A request that finds the queue full, or waits out its timeout, is a 503 with
 * {@code Retry-After} before any byte of its answer is sent, so that nginx
 * ({@code proxy_next_upstream http_503}) can hand it to another bridge. A client that hangs up
 * while it waits leaves the queue.
 */
final class Admission {

  /** The client hung up while its request waited for a slot; there is no one left to answer. */
  static final class LeftQueue extends RuntimeException {
    LeftQueue() {
      super("the client left while its request waited for a slot", null, false, false);
    }
  }

  /** One generation's slot, held until closed; closing it twice frees it once. */
  interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  private final int maxConcurrent;
  private final int queueSize;
  private final Duration queueTimeout;
  private final BridgeMetrics metrics;
  /** Fair, so a waiting request is served before one that arrives later; null when unlimited. */
  private final Semaphore slots;
  private final AtomicInteger inUse = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();

  Admission(BridgeConfig config, BridgeMetrics metrics) {
    this.maxConcurrent = config.maxConcurrent();
    this.queueSize = config.queueSize();
    this.queueTimeout = config.queueTimeout();
    this.metrics = metrics;
    this.slots = maxConcurrent == 0 ? null : new Semaphore(maxConcurrent, true);
  }

  /** The {@code --max-concurrent} limit; 0 for none. */
  int maxConcurrent() {
    return maxConcurrent;
  }

  int inUse() {
    return inUse.get();
  }

  int queued() {
    return queued.get();
  }

  /**
   * A slot for the generation {@code ctx} asks for: at once, after a wait in the queue, or a 503
   * with {@code Retry-After} when there is none to be had.
   *
   * @throws LeftQueue when the client hung up while it waited
   */
  Slot enter(Context ctx) {
    return enter(Hangups.of(ctx));
  }

  /** {@link #enter(Context)} for any server's request, whose client's hang-up {@code hangups} tells. */
  Slot enter(Hangups hangups) {
    if (slots == null) {
      return granted(false);
    }
    long started = System.nanoTime();
    try {
      // tryAcquire() alone would barge past the requests already waiting; with a timeout of 0 it is fair
      if (slots.tryAcquire(0, TimeUnit.NANOSECONDS)) {
        metrics.admitted(0);
        return granted(true);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw overloaded("it is stopping", 1);
    }
    if (!joinQueue()) {
      metrics.rejected("queue_full");
      throw overloaded(queueSize == 0 ? "all " + maxConcurrent + " of its --max-concurrent slots are busy"
          : "all " + maxConcurrent + " of its --max-concurrent slots are busy and its queue of " + queueSize + " is full", 1);
    }
    try {
      if (!waitForSlot(hangups)) {
        metrics.rejected("timeout");
        long seconds = Math.max(1, (queueTimeout.toMillis() + 999) / 1000);
        throw overloaded("no slot came free within its --queue-timeout of " + queueTimeout.toMillis() + " ms", seconds);
      }
    } finally {
      queued.decrementAndGet();
    }
    metrics.admitted((System.nanoTime() - started) / 1e9);
    return granted(true);
  }

  private boolean joinQueue() {
    for (int waiting = queued.get(); waiting < queueSize; waiting = queued.get()) {
      if (queued.compareAndSet(waiting, waiting + 1)) {
        return true;
      }
    }
    return false;
  }

  /** Waits for a slot until the queue timeout, or until the client hangs up. */
  private boolean waitForSlot(Hangups hangups) {
    Waiter waiter = new Waiter();
    try (Hangups.Watch watch = hangups.watch(waiter)) {
      boolean acquired;
      boolean interrupted = false;
      try {
        acquired = slots.tryAcquire(queueTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        acquired = false;
        interrupted = true;
      }
      if (waiter.stop()) {
        Thread.interrupted(); // our own interrupt, also when it came just after the slot did
      } else if (interrupted) {
        Thread.currentThread().interrupt(); // someone else's (a stopping server): keep it
      }
      if (watch.hungUp()) {
        if (acquired) {
          slots.release();
        }
        throw new LeftQueue();
      }
      return acquired;
    }
  }

  /** Interrupts the waiting thread when its client hangs up, and only while it waits. */
  private static final class Waiter implements Runnable {
    private final Thread thread = Thread.currentThread();
    private boolean waiting = true;
    private boolean interrupted;

    @Override
    public synchronized void run() {
      if (waiting) {
        interrupted = true;
        thread.interrupt();
      }
    }

    /** Ends the wait; true when it was interrupted for a hang-up. */
    synchronized boolean stop() {
      waiting = false;
      return interrupted;
    }
  }

  private Slot granted(boolean holdsPermit) {
    inUse.incrementAndGet();
    AtomicBoolean open = new AtomicBoolean(true);
    return () -> {
      if (open.getAndSet(false)) {
        inUse.decrementAndGet();
        if (holdsPermit) {
          slots.release();
        }
      }
    };
  }

  private static ApiException overloaded(String why, long retryAfterSeconds) {
    return new ApiException(503, "this bridge is busy: " + why + "; retry in " + retryAfterSeconds
        + " s, or on another bridge", null, "overloaded", retryAfterSeconds);
  }
}
