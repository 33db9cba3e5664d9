package dev.ollamabridge.bridge.datapath;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * What becomes of a backend's answer to an {@link UpstreamCall}, told on the call's event loop: the
 * answer's head, then its body piece by piece (the last a {@code LastHttpContent}), or a failure.
 * Nothing is told after the call is cancelled.
 */
public interface UpstreamListener {

  /** The status line and headers (never a 1xx). */
  void head(HttpResponse head);

  /** One piece of the body, whose buffer is the listener's to release or pass on; the last is a {@code LastHttpContent}. */
  void content(HttpContent content);

  /**
   * The call failed: it could not connect, or the connection broke.
   *
   * @param beforeHead whether the answer's head had not come yet (a request that may be sent again)
   */
  void failed(Throwable cause, boolean beforeHead);

  /** The end of one read from the backend's connection: a time to flush what was written. */
  default void readComplete() {}
}
