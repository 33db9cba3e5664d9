package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.datapath.ClientCall;

/** Tells when a request's client hangs up while the bridge prepares its answer, whichever server carries it. */
@FunctionalInterface
interface Hangups {

  /** Starts watching: {@code onHangup} runs once, on any thread, if the client hangs up before the watch is closed. */
  Watch watch(Runnable onHangup);

  /** One watch; close it before the answer is written. */
  interface Watch extends AutoCloseable {
    boolean hungUp();

    @Override
    void close();
  }

  /**
   * The hang-ups of a call on the event-loop data path: its connection's end before the call's.
   * The watch may be started and closed on any thread.
   */
  static Hangups of(ClientCall call) {
    return onHangup -> {
      Flag flag = new Flag(onHangup);
      if (call.loop().inEventLoop()) {
        flag.listen(call);
      } else {
        call.loop().execute(() -> flag.listen(call));
      }
      return flag;
    };
  }

  /** A watch of a data-path call: tells of a hang-up until closed. */
  final class Flag implements Watch {
    private final Runnable onHangup;
    private boolean hungUp;
    private boolean closed;

    private Flag(Runnable onHangup) {
      this.onHangup = onHangup;
    }

    /** On the call's loop. */
    private void listen(ClientCall call) {
      if (call.hungUp()) {
        clientLeft();
      } else if (!call.ended()) {
        call.onHangup(this::clientLeft);
      }
    }

    private void clientLeft() {
      synchronized (this) {
        if (hungUp || closed) {
          return;
        }
        hungUp = true;
      }
      onHangup.run();
    }

    @Override
    public synchronized boolean hungUp() {
      return hungUp;
    }

    @Override
    public synchronized void close() {
      closed = true;
    }
  }
}
