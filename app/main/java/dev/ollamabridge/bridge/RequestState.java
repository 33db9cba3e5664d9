package dev.ollamabridge.bridge;

import dev.ollamabridge.link.KeyRule;
import io.javalin.http.Context;

/**
 * What the bridge notes about a request while answering it, for its metrics, its usage counts and
 * its request log: each is set where the bridge learns it and read once the answer is written.
 * A value never set reads as null (the log's "unknown").
 */
final class RequestState {

  private static final String START = "bridge.start";
  private static final String CACHE = "bridge.cache";
  private static final String KEY = "bridge.key";
  private static final String MODEL = "bridge.model";
  private static final String BACKEND_MODEL = "bridge.backend-model";
  private static final String PROMPT_TOKENS = "bridge.prompt-tokens";
  private static final String COMPLETION_TOKENS = "bridge.completion-tokens";
  private static final String WITHHELD = "bridge.authorization-withheld";

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

  /** The cluster key the request presented and that passed; never its secret. */
  static void key(Context ctx, KeyRule key) {
    ctx.attribute(KEY, key);
  }

  /** The cluster key of the request; null for none (no key required, or an instance's {@code --client-key}). */
  static KeyRule key(Context ctx) {
    return ctx.attribute(KEY);
  }

  /** The model as the client named it. */
  static void model(Context ctx, String clientModel) {
    ctx.attribute(MODEL, clientModel);
  }

  /** The model as the client named it; null for a request that names none, or before it is read. */
  static String model(Context ctx) {
    return ctx.attribute(MODEL);
  }

  /** Both names of the request's model; a request that names none leaves them null. */
  static void model(Context ctx, ModelAliases.ModelName model) {
    if (!model.client().isEmpty()) {
      model(ctx, model.client());
      backendModel(ctx, model.backend());
    }
  }

  /** The model as the backend knows it (after {@code --model-alias}). */
  static void backendModel(Context ctx, String backendModel) {
    ctx.attribute(BACKEND_MODEL, backendModel);
  }

  static String backendModel(Context ctx) {
    return ctx.attribute(BACKEND_MODEL);
  }

  /**
   * The tokens the backend spent on this request, as it counted them, once its answer is complete;
   * a cache hit spent none and sets none.
   */
  static void tokens(Context ctx, long prompt, long completion) {
    ctx.attribute(PROMPT_TOKENS, prompt);
    ctx.attribute(COMPLETION_TOKENS, completion);
  }

  /** Null until {@link #tokens} is called: an answer that did not complete, or a route without tokens. */
  static Long promptTokens(Context ctx) {
    return ctx.attribute(PROMPT_TOKENS);
  }

  static Long completionTokens(Context ctx) {
    return ctx.attribute(COMPLETION_TOKENS);
  }

  /** Keeps the client's Authorization from the backend: it carries a client key, which is for the bridge only. */
  static void withholdAuthorization(Context ctx) {
    ctx.attribute(WITHHELD, Boolean.TRUE);
  }

  /** The client's Authorization as it may go upstream; null when it carried a client key, or when there was none. */
  static String upstreamAuthorization(Context ctx) {
    return ctx.attribute(WITHHELD) != null ? null : ctx.header("Authorization");
  }
}
