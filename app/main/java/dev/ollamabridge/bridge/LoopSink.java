package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.datapath.ClientCall;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;

/**
 * The {@link AnswerSink} of a generation answered on its event loop: writes go to the
 * {@link ClientCall} without waiting, and are flushed when the backend's read ends (the driver's
 * part); the headers the checks decided go on the answer's head.
 */
final class LoopSink implements AnswerSink {

  private final ClientCall call;
  private final HttpHeaders headers = new DefaultHttpHeaders();

  LoopSink(ClientCall call) {
    this.call = call;
  }

  /** Sets a header of the answer; before it begins. */
  void header(String name, String value) {
    headers.add(name, value);
  }

  @Override
  public void begin(String contentType) {
    headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    headers.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    headers.set("X-Accel-Buffering", "no"); // tells nginx not to buffer this stream
    call.begin(200, headers);
  }

  @Override
  public void write(byte[] bytes) {
    if (call.ended()) {
      throw new ClientAnswer.ClientGone(new IOException("the client has gone"));
    }
    call.write(bytes);
  }

  @Override
  public void whole(int status, String contentType, byte[] body) {
    if (call.ended()) {
      throw new ClientAnswer.ClientGone(new IOException("the client has gone"));
    }
    headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    call.answer(status, headers, body);
  }

  @Override
  public boolean begun() {
    return call.begun();
  }

  /** An error answered whole, in the route's dialect, with a Retry-After when it has one. */
  void error(ApiException error, byte[] body) {
    if (error.retryAfterSeconds() > 0) {
      headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
    }
    whole(error.status(), "application/json", body);
  }
}
