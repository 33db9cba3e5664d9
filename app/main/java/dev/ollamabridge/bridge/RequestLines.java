package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.requestlog.RequestLogLine;
import dev.ollamabridge.bridge.requestlog.Texts;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.link.KeyRule;
import java.time.Instant;
import java.util.Locale;

/** A request's line of the request log, read from what the bridge noted while answering it. */
final class RequestLines {

  private RequestLines() {}

  /**
   * What the server that carried a request knows of it once the answer is written.
   *
   * @param millis the time from the request to its last byte written
   * @param declaredBodyBytes the request's Content-Length; negative when it had none
   * @param bytesOut the answer's body bytes written; null when the server does not count them
   */
  record Written(int status, float millis, long declaredBodyBytes, Long bytesOut, String remoteAddress) {}

  /** The line of a request whose {@code notes} were kept while it was answered, and whose answer is {@code written}. */
  static RequestLogLine of(RequestNotes notes, Dialect upstreamDialect, Written written, boolean bodies) {
    Route route = notes.route();
    KeyRule key = notes.key();
    byte[] requestBody = notes.requestBody();
    long declared = written.declaredBodyBytes();
    return new RequestLogLine(
        Instant.now(),
        notes.id(),
        key == null ? null : key.name(),
        key == null ? null : key.id(),
        notes.model(),
        notes.backendModel(),
        route.path,
        name(route.dialect),
        name(upstreamDialect),
        notes.stream(),
        written.status(),
        notes.cacheOutcome(),
        Math.round(written.millis()),
        notes.ttftMillis(),
        notes.promptTokens(),
        notes.completionTokens(),
        declared >= 0 ? Long.valueOf(declared) : requestBody != null ? Long.valueOf(requestBody.length) : null,
        written.bytesOut(),
        written.remoteAddress(),
        notes.retries(),
        Texts.error(notes.error()),
        bodies && requestBody != null ? Texts.body(requestBody, requestBody.length) : null,
        bodies ? notes.responseBody() : null);
  }

  private static String name(Dialect dialect) {
    return dialect.name().toLowerCase(Locale.ROOT);
  }
}
