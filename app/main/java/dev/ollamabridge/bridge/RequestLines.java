package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.requestlog.RequestLogLine;
import dev.ollamabridge.bridge.requestlog.Texts;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.link.KeyRule;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Locale;
import org.eclipse.jetty.ee10.servlet.ServletContextResponse;

/** A request's line of the request log, read from what the bridge noted while answering it. */
final class RequestLines {

  private RequestLines() {}

  /**
   * @param millis Javalin's time from the request to its last byte written
   * @param bodies whether the line carries the bodies ({@code --log-bodies})
   */
  static RequestLogLine of(Context ctx, Dialect upstreamDialect, float millis, boolean bodies) {
    Route route = RequestState.route(ctx);
    KeyRule key = RequestState.key(ctx);
    byte[] requestBody = RequestState.requestBody(ctx);
    long declared = ctx.req().getContentLengthLong();
    int status = ctx.statusCode();
    return new RequestLogLine(
        Instant.now(),
        RequestState.id(ctx),
        key == null ? null : key.name(),
        key == null ? null : key.id(),
        RequestState.model(ctx),
        RequestState.backendModel(ctx),
        route.path,
        name(route.dialect),
        name(upstreamDialect),
        RequestState.stream(ctx),
        status,
        RequestState.cacheOutcome(ctx),
        Math.round(millis),
        RequestState.ttftMillis(ctx),
        RequestState.promptTokens(ctx),
        RequestState.completionTokens(ctx),
        declared >= 0 ? Long.valueOf(declared) : requestBody != null ? Long.valueOf(requestBody.length) : null,
        bytesOut(ctx),
        ctx.req().getRemoteAddr(),
        RequestState.retries(ctx),
        Texts.error(RequestState.error(ctx)),
        bodies && requestBody != null ? Texts.body(requestBody, requestBody.length) : null,
        bodies ? RequestState.responseBody(ctx) : null);
  }

  private static String name(Dialect dialect) {
    return dialect.name().toLowerCase(Locale.ROOT);
  }

  /** What Jetty wrote of the answer's body; null where the response is not Jetty's own. */
  private static Long bytesOut(Context ctx) {
    ServletContextResponse response = ServletContextResponse.getServletContextResponse(ctx.res());
    return response == null ? null : response.getHttpOutput().getWritten();
  }
}
