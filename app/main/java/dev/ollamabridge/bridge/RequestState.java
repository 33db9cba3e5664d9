package dev.ollamabridge.bridge;

import io.javalin.http.Context;

/**
 * The {@link RequestNotes} of a request Javalin carries, kept in one of its attributes: the
 * Javalin side of the seam, read by {@link JavalinExchange} and by what runs around the routes
 * (the request logger, the 404 handler).
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

  /** Whether the request went through a route's gate ({@link RequestNotes#start}). */
  static boolean started(Context ctx) {
    RequestNotes notes = ctx.attribute(NOTES);
    return notes != null && notes.started();
  }

  /** The route the request took; null for one no route served. */
  static Route route(Context ctx) {
    RequestNotes notes = ctx.attribute(NOTES);
    return notes == null ? null : notes.route();
  }
}
