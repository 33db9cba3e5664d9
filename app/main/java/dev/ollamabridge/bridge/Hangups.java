package dev.ollamabridge.bridge;

import dev.ollamabridge.http.HangupWatch;
import io.javalin.http.Context;

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

  /** The hang-ups of a Javalin request, seen on its Jetty connection. */
  static Hangups of(Context ctx) {
    return onHangup -> {
      HangupWatch watch = HangupWatch.start(ctx.req(), onHangup);
      return new Watch() {
        @Override
        public boolean hungUp() {
          return watch.hungUp();
        }

        @Override
        public void close() {
          watch.close();
        }
      };
    };
  }
}
