package dev.ollamabridge.bridge;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code --max-concurrent}, {@code --queue-size}, {@code --queue-timeout}: at most N generations
 * go to the backend at once; up to Q more wait for a slot, first come first served, for at most the
 * queue timeout. A request that finds the queue full, or waits out its timeout, is a 503 with
 * {@code Retry-After} before any byte of its answer is sent, so that nginx
 * ({@code proxy_next_upstream http_503}) can hand it to another bridge. A client that hangs up
 * while it waits leaves the queue.
 *
 * <p>A request on its own thread waits with {@link #enter(Hangups)}; one on an event loop, which
 * must not block, asks {@link #enterAsync(Hangups, ScheduledExecutorService)}. Both wait in one
 * queue: a slot that comes free goes to the request that has waited longest, whichever way it
 * asked.
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
  /** The requests waiting for a slot, longest first; there are some only while every slot is in use. Guarded by this. */
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  /** Guarded by this; a slot on its way from one request to the next counts as in use. */
  private int inUse;

  Admission(BridgeConfig config, BridgeMetrics metrics) {
    this(config.maxConcurrent(), config.queueSize(), config.queueTimeout(), metrics);
  }

  Admission(int maxConcurrent, int queueSize, Duration queueTimeout, BridgeMetrics metrics) {
    this.maxConcurrent = maxConcurrent;
    this.queueSize = queueSize;
    this.queueTimeout = queueTimeout;
    this.metrics = metrics;
  }

  /** The {@code --max-concurrent} limit; 0 for none. */
  int maxConcurrent() {
    return maxConcurrent;
  }

  synchronized int inUse() {
    return inUse;
  }

  synchronized int queued() {
    return waiters.size();
  }

  /** A slot for a generation, at once, after a wait in the queue, or a 503 with {@code Retry-After}
   * when there is none to be had; the client's hang-up {@code hangups} tells ends the wait. */
  Slot enter(Hangups hangups) {
    Waiter waiter = join(hangups, null);
    boolean interrupted = false;
    try {
      waiter.entered.get(queueTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      timeOut(waiter);
    } catch (InterruptedException e) {
      interrupted = true; // a stopping server: the request gives up its place as if its time were out
      timeOut(waiter);
    } catch (ExecutionException e) {
      // the outcome is read below
    }
    try {
      return waiter.entered.join(); // complete, or about to be: a slot raced the time-out
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * {@link #enter(Hangups)} for an event loop, which must not block: completes with a slot at once
   * or when one comes free, or exceptionally with the 503 {@link ApiException} (at once when the
   * queue is full, after {@code --queue-timeout}, scheduled on {@code timer}, when no slot came
   * free) or {@link LeftQueue} when the client hangs up while it waits. It completes on whichever
   * thread made the outcome (the caller's, the one closing a slot, {@code timer}'s, the one that
   * saw the hang-up): a caller that must go on on its own loop moves there itself. Cancelling it
   * leaves the queue.
   *
   * @param timer where the queue timeout is scheduled, such as the caller's event loop
   */
  CompletableFuture<Slot> enterAsync(Hangups hangups, ScheduledExecutorService timer) {
    return join(hangups, timer).entered;
  }

  /** Takes a slot, or a place in the queue whose time-out {@code timer} schedules (null: the caller times it out). */
  private Waiter join(Hangups hangups, ScheduledExecutorService timer) {
    Waiter waiter = new Waiter();
    boolean full;
    synchronized (this) {
      if (maxConcurrent == 0 || inUse < maxConcurrent) {
        inUse++;
        waiter.entered.complete(slot());
        if (maxConcurrent > 0) {
          metrics.admitted(0);
        }
        return waiter;
      }
      full = waiters.size() >= queueSize;
      if (!full) {
        waiters.add(waiter);
        waiter.queued = true;
      }
    }
    if (full) {
      metrics.rejected("queue_full");
      waiter.entered.completeExceptionally(overloaded(queueSize == 0
          ? "all " + maxConcurrent + " of its --max-concurrent slots are busy"
          : "all " + maxConcurrent + " of its --max-concurrent slots are busy and its queue of " + queueSize + " is full", 1));
      return waiter;
    }
    waiter.entered.whenComplete((slot, error) -> {
      if (error instanceof CancellationException) {
        withdraw(waiter);
      }
    });
    ScheduledFuture<?> timeout = null;
    try {
      timeout = timer == null ? null : timer.schedule(() -> timeOut(waiter), queueTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      if (withdraw(waiter)) {
        waiter.entered.completeExceptionally(overloaded("it is stopping", 1));
      }
    }
    waiter.watch(hangups.watch(() -> leave(waiter)), timeout);
    return waiter;
  }

  /** A slot came free: it goes to the request that has waited longest and is still there, else back to the pool. */
  private void passOn() {
    while (true) {
      Waiter next;
      synchronized (this) {
        next = waiters.poll();
        if (next == null) {
          inUse--;
          return;
        }
        next.queued = false;
      }
      if (next.stopWatching()) {
        next.entered.completeExceptionally(new LeftQueue()); // its client hung up as the slot came: the slot goes on
      } else if (!next.entered.isCancelled()) {
        // counted first, as a blocking request's wait was: whoever reads the metrics after the admission sees it
        metrics.admitted((System.nanoTime() - next.started) / 1e9);
        if (next.entered.complete(slot())) {
          return;
        }
      }
    }
  }

  private void timeOut(Waiter waiter) {
    if (withdraw(waiter)) {
      metrics.rejected("timeout");
      long seconds = Math.max(1, (queueTimeout.toMillis() + 999) / 1000);
      waiter.entered.completeExceptionally(
          overloaded("no slot came free within its --queue-timeout of " + queueTimeout.toMillis() + " ms", seconds));
    }
  }

  private void leave(Waiter waiter) {
    if (withdraw(waiter)) {
      waiter.entered.completeExceptionally(new LeftQueue());
    }
  }

  /** Takes {@code waiter} out of the queue; false when it had left it already (with a slot, or not). */
  private boolean withdraw(Waiter waiter) {
    synchronized (this) {
      if (!waiter.queued) {
        return false;
      }
      waiters.remove(waiter);
      waiter.queued = false;
    }
    waiter.stopWatching();
    return true;
  }

  /** One slot, counted in {@link #inUse} already. */
  private Slot slot() {
    AtomicBoolean open = new AtomicBoolean(true);
    return () -> {
      if (open.getAndSet(false)) {
        passOn();
      }
    };
  }

  /** A request in the queue: whoever takes it out (a slot, its time-out, its hang-up) completes it. */
  private static final class Waiter {
    final CompletableFuture<Slot> entered = new CompletableFuture<>();
    final long started = System.nanoTime();
    /** Guarded by the admission. */
    boolean queued;
    private Hangups.Watch watch;
    private ScheduledFuture<?> timeout;
    private boolean stopped;
    private boolean hungUp;

    /** Keeps what watches the wait, or ends it at once when the wait is over already. */
    synchronized void watch(Hangups.Watch watch, ScheduledFuture<?> timeout) {
      if (stopped) {
        stop(watch, timeout);
      } else {
        this.watch = watch;
        this.timeout = timeout;
      }
    }

    /** Ends the wait's hang-up watch and time-out, before its answer is written; true when the client hung up. */
    synchronized boolean stopWatching() {
      if (!stopped) {
        stopped = true;
        hungUp = stop(watch, timeout);
      }
      return hungUp;
    }

    private static boolean stop(Hangups.Watch watch, ScheduledFuture<?> timeout) {
      if (timeout != null) {
        timeout.cancel(false);
      }
      if (watch == null) {
        return false;
      }
      watch.close();
      return watch.hungUp();
    }
  }

  private static ApiException overloaded(String why, long retryAfterSeconds) {
    return new ApiException(503, "this bridge is busy: " + why + "; retry in " + retryAfterSeconds
        + " s, or on another bridge", null, "overloaded", retryAfterSeconds);
  }
}
