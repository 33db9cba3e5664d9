package dev.ollamabridge.bridge;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * One client request and its answer, as a route that answers on a thread of its own sees them (the
 * event-loop data path hands such a route its request, read whole, on a thread of its own). The
 * routes read the request and write the answer through this alone, so they know no server's types.
 *
 * <p>An answer is written once: whole ({@link #answer}) or piece by piece ({@link #stream}), after
 * any {@link #answerHeader}s.
 */
interface Exchange extends ClientRequest {

  /** What the bridge notes about this request, for its metrics, usage counts and request log. */
  RequestNotes notes();

  /** The request's declared body length; -1 when it declared none (chunked, or no body). */
  long contentLength();

  /** The request's Content-Type; null when absent. */
  default String contentType() {
    return header("Content-Type");
  }

  /**
   * The request's body whole, noted in {@link #notes()} for the request log.
   *
   * @throws ApiException 413 when larger than {@code maxBytes}, 408 when it did not arrive within
   *     {@code --body-timeout}, 400 when the client stopped sending it
   */
  byte[] body(long maxBytes);

  /** The request's body as it arrives, for one that may be larger than memory (a model's blob). */
  InputStream bodyStream();

  /** Tells when the client hangs up while the bridge prepares the answer. */
  Hangups hangups();

  /** Sets a header of the answer; before it is written. */
  void answerHeader(String name, String value);

  /** Writes the whole answer, with its Content-Length. */
  void answer(int status, String contentType, byte[] body);

  /**
   * Begins an answer written piece by piece: each {@code write} is sent to the client at once (a
   * flush per write), the answer ends when the stream is closed or the route returns.
   *
   * @param contentType null to send none
   */
  OutputStream stream(int status, String contentType);

  /** The status answered so far: 200 until one is written. */
  int status();

  /** Whether the answer's status line has gone to the client: an error can no longer be a status. */
  boolean committed();
}
