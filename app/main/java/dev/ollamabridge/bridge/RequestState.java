package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.requestlog.Texts;
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

  // What the request log reads besides the above: the request's id, when its first token left,
  // the upstream retries, the error told to the client, whether it asked for a stream, the bodies.

  private static final String ID = "bridge.request-id";
  private static final String FIRST_TOKEN = "bridge.first-token";
  private static final String RETRIES = "bridge.retries";
  private static final String ERROR = "bridge.error";
  private static final String STREAM = "bridge.stream";
  private static final String REQUEST_BODY = "bridge.request-body";
  private static final String RESPONSE_BODY = "bridge.response-body";

  private static final String ROUTE = "bridge.route";

  /** The route the request took, noted as it starts. */
  static void route(Context ctx, Route route) {
    ctx.attribute(ROUTE, route);
  }

  static Route route(Context ctx) {
    return ctx.attribute(ROUTE);
  }

  /** The request's id, answered as {@code x-request-id}. */
  static void id(Context ctx, String id) {
    ctx.attribute(ID, id);
  }

  static String id(Context ctx) {
    return ctx.attribute(ID);
  }

  /** Notes that the first answer text left now (once: later calls change nothing). */
  static void firstToken(Context ctx) {
    if (ctx.attribute(FIRST_TOKEN) == null) {
      ctx.attribute(FIRST_TOKEN, System.nanoTime());
    }
  }

  /** Milliseconds from the request to its first answer text; null when none left. */
  static Long ttftMillis(Context ctx) {
    Long start = ctx.attribute(START);
    Long first = ctx.attribute(FIRST_TOKEN);
    return start == null || first == null ? null : (first - start) / 1_000_000;
  }

  /** Upstream attempts after the first, for a request whose upstream call the bridge counts. */
  static void retries(Context ctx, int retries) {
    ctx.attribute(RETRIES, retries);
  }

  static Integer retries(Context ctx) {
    return ctx.attribute(RETRIES);
  }

  /** The error the client was told (the first one, should a stream fail after an error status was chosen). */
  static void error(Context ctx, String message) {
    if (ctx.attribute(ERROR) == null) {
      ctx.attribute(ERROR, message);
    }
  }

  static String error(Context ctx) {
    return ctx.attribute(ERROR);
  }

  /** Whether the client asked for a stream; null for a request that has no such choice. */
  static void stream(Context ctx, boolean stream) {
    ctx.attribute(STREAM, stream);
  }

  static Boolean stream(Context ctx) {
    return ctx.attribute(STREAM);
  }

  /** The request's body as read, for {@code --log-bodies}. */
  static void requestBody(Context ctx, byte[] body) {
    ctx.attribute(REQUEST_BODY, body);
  }

  static byte[] requestBody(Context ctx) {
    return ctx.attribute(REQUEST_BODY);
  }

  /** Starts keeping what is written to the client (its first 64 KiB), for {@code --log-bodies}. */
  static void keepResponseBody(Context ctx) {
    ctx.attribute(RESPONSE_BODY, new BodyCapture());
  }

  /** Notes bytes written to the client; kept only when {@link #keepResponseBody} was called. */
  static void responseBytes(Context ctx, byte[] bytes) {
    BodyCapture capture = ctx.attribute(RESPONSE_BODY);
    if (capture != null) {
      capture.add(bytes);
    }
  }

  /** The kept response body, or null when none was kept. */
  static String responseBody(Context ctx) {
    BodyCapture capture = ctx.attribute(RESPONSE_BODY);
    return capture == null ? null : capture.text();
  }

  /** The first bytes of an answer, a few past the most a line keeps, so that the cut shows. */
  private static final class BodyCapture {
    private final java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();

    void add(byte[] bytes) {
      int room = Texts.MAX_BODY_BYTES + 4 - kept.size(); // a little over, so the cut knows there was more
      if (room > 0) {
        kept.write(bytes, 0, Math.min(room, bytes.length));
      }
    }

    String text() {
      byte[] bytes = kept.toByteArray();
      return Texts.body(bytes, bytes.length);
    }
  }
}
