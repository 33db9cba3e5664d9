package dev.ollamabridge.bridge;

import dev.ollamabridge.link.KeyRule;
import io.javalin.http.Context;

/**
 * The {@link RequestNotes} of a request Javalin carries, kept in one of its attributes, and the
 * same notes read and written through its {@link Context}: the Javalin side of the seam.
 */
final class RequestState {

  private static final String NOTES = "bridge.notes";

  private RequestState() {}

  /** The request's notes, made on first use. */
  static RequestNotes notes(Context ctx) {
    RequestNotes notes = ctx.attribute(NOTES);
    if (notes == null) {
      notes = new RequestNotes();
      ctx.attribute(NOTES, notes);
    }
    return notes;
  }

  static void start(Context ctx) {
    notes(ctx).start();
  }

  static boolean started(Context ctx) {
    RequestNotes notes = ctx.attribute(NOTES);
    return notes != null && notes.started();
  }

  static double elapsedSeconds(Context ctx) {
    return notes(ctx).elapsedSeconds();
  }

  static void cacheOutcome(Context ctx, String outcome) {
    notes(ctx).cacheOutcome(outcome);
  }

  static String cacheOutcome(Context ctx) {
    return notes(ctx).cacheOutcome();
  }

  static void key(Context ctx, KeyRule key) {
    notes(ctx).key(key);
  }

  static KeyRule key(Context ctx) {
    return notes(ctx).key();
  }

  static void model(Context ctx, String clientModel) {
    notes(ctx).model(clientModel);
  }

  static String model(Context ctx) {
    return notes(ctx).model();
  }

  static void model(Context ctx, ModelAliases.ModelName model) {
    notes(ctx).model(model);
  }

  static void backendModel(Context ctx, String backendModel) {
    notes(ctx).backendModel(backendModel);
  }

  static String backendModel(Context ctx) {
    return notes(ctx).backendModel();
  }

  static void tokens(Context ctx, long prompt, long completion) {
    notes(ctx).tokens(prompt, completion);
  }

  static Long promptTokens(Context ctx) {
    return notes(ctx).promptTokens();
  }

  static Long completionTokens(Context ctx) {
    return notes(ctx).completionTokens();
  }

  static void withholdAuthorization(Context ctx) {
    notes(ctx).withholdAuthorization();
  }

  /** The client's Authorization as it may go upstream; null when it carried a client key, or when there was none. */
  static String upstreamAuthorization(Context ctx) {
    return notes(ctx).upstreamAuthorization(ctx.header("Authorization"));
  }

  static void route(Context ctx, Route route) {
    notes(ctx).route(route);
  }

  static Route route(Context ctx) {
    RequestNotes notes = ctx.attribute(NOTES);
    return notes == null ? null : notes.route();
  }

  static void id(Context ctx, String id) {
    notes(ctx).id(id);
  }

  static String id(Context ctx) {
    return notes(ctx).id();
  }

  static void firstToken(Context ctx) {
    notes(ctx).firstToken();
  }

  static Long ttftMillis(Context ctx) {
    return notes(ctx).ttftMillis();
  }

  static void retries(Context ctx, int retries) {
    notes(ctx).retries(retries);
  }

  static Integer retries(Context ctx) {
    return notes(ctx).retries();
  }

  static void error(Context ctx, String message) {
    notes(ctx).error(message);
  }

  static String error(Context ctx) {
    return notes(ctx).error();
  }

  static void stream(Context ctx, boolean stream) {
    notes(ctx).stream(stream);
  }

  static Boolean stream(Context ctx) {
    return notes(ctx).stream();
  }

  static void requestBody(Context ctx, byte[] body) {
    notes(ctx).requestBody(body);
  }

  static byte[] requestBody(Context ctx) {
    return notes(ctx).requestBody();
  }

  static void keepResponseBody(Context ctx) {
    notes(ctx).keepResponseBody();
  }

  static void responseBytes(Context ctx, byte[] bytes) {
    notes(ctx).responseBytes(bytes);
  }

  static String responseBody(Context ctx) {
    return notes(ctx).responseBody();
  }
}
