package dev.ollamabridge.bridge;

import io.javalin.http.Context;

/** What the bridge notes about a request while answering it, for its metrics. */
final class RequestState {

  private static final String START = "bridge.start";
  private static final String CACHE = "bridge.cache";

  private RequestState() {}

  static void start(Context ctx) {
    ctx.attribute(START, System.nanoTime());
  }

  static boolean started(Context ctx) {
    return ctx.attribute(START) != null;
  }

  static double elapsedSeconds(Context ctx) {
    Long start = ctx.attribute(START);
    return start == null ? 0 : (System.nanoTime() - start) / 1e9;
  }

  static void cacheOutcome(Context ctx, String outcome) {
    ctx.attribute(CACHE, outcome);
  }

  /** {@code hit}, {@code miss}, or {@code off} for requests the cache did not look at. */
  static String cacheOutcome(Context ctx) {
    String outcome = ctx.attribute(CACHE);
    return outcome == null ? "off" : outcome;
  }
}
