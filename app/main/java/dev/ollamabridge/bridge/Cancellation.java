package dev.ollamabridge.bridge;

import okhttp3.Call;

/**
 * Lets the request an upstream call serves end it from any thread, whichever attempt is running:
 * when the client hangs up, the model stops generating for nobody.
 */
final class Cancellation {

  /** What an upstream call ended by {@link #cancel()} throws. */
  static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("the upstream call was cancelled", null, false, false);
    }
  }

  private Call current;
  private boolean cancelled;
  private int attempts;

  /** Notes the attempt now running; one that starts after a cancel is cancelled at once. */
  synchronized void attempt(Call call) {
    current = call;
    attempts++;
    if (cancelled) {
      call.cancel();
    }
  }

  void cancel() {
    Call call;
    synchronized (this) {
      cancelled = true;
      call = current;
    }
    if (call != null) {
      call.cancel();
    }
  }

  /** Attempts after the first, for the request log. */
  synchronized int retries() {
    return Math.max(0, attempts - 1);
  }

  synchronized boolean cancelled() {
    return cancelled;
  }
}
