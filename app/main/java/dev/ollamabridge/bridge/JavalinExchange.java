package dev.ollamabridge.bridge;

import dev.ollamabridge.http.BodyDeadline.BodyTimeoutException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;

/**
 * A request Javalin carries, as the bridge's routes see it: the Javalin side of {@link Exchange}.
 * Its body has been gathered by {@link dev.ollamabridge.http.BodyDeadline} before the route runs;
 * its answer is written through Jetty's response.
 */
final class JavalinExchange implements Exchange {

  private final Context ctx;

  JavalinExchange(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public String method() {
    return ctx.method().name();
  }

  @Override
  public String path() {
    return ctx.path();
  }

  @Override
  public String header(String name) {
    return ctx.header(name);
  }

  @Override
  public String remoteAddress() {
    return ctx.req().getRemoteAddr();
  }

  @Override
  public int localPort() {
    return ctx.req().getLocalPort();
  }

  @Override
  public RequestNotes notes() {
    return RequestState.notes(ctx);
  }

  @Override
  public long contentLength() {
    return ctx.req().getContentLengthLong();
  }

  @Override
  public byte[] body(long maxBytes) {
    long declared = contentLength();
    if (declared > maxBytes) {
      throw RequestBodies.tooLarge(maxBytes);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      // A declared length is read into one array of that size; a chunked body into growing chunks.
      byte[] bytes = in.readNBytes((int) (declared >= 0 ? declared : Math.min(Integer.MAX_VALUE - 8, maxBytes + 1)));
      if (bytes.length > maxBytes) {
        throw RequestBodies.tooLarge(maxBytes);
      }
      notes().requestBody(bytes);
      return bytes;
    } catch (IOException e) {
      BodyTimeoutException late = causeOf(e, BodyTimeoutException.class);
      if (late != null) {
        throw RequestBodies.late(late.deadline());
      }
      if (causeOf(e, TimeoutException.class) != null) {
        throw new ApiException(408, "the request body stopped arriving before it was complete", null, "request_timeout");
      }
      throw ApiException.badRequest(null, "the request body could not be read: the client stopped sending it");
    }
  }

  private static <T extends Throwable> T causeOf(Throwable error, Class<T> type) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }

  @Override
  public InputStream bodyStream() {
    try {
      return ctx.req().getInputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Hangups hangups() {
    return Hangups.of(ctx);
  }

  @Override
  public void answerHeader(String name, String value) {
    ctx.header(name, value);
  }

  @Override
  public void answer(int status, String contentType, byte[] body) {
    ctx.status(status);
    if (contentType != null) {
      ctx.contentType(contentType);
    }
    if (body.length > 0) { // Jetty counts an empty one itself, and a 204 must carry none
      ctx.res().setContentLength(body.length);
    }
    ctx.result(body);
  }

  @Override
  public OutputStream stream(int status, String contentType) {
    ctx.status(status);
    if (contentType != null) {
      ctx.contentType(contentType);
    }
    return new FlushingStream();
  }

  @Override
  public int status() {
    return ctx.statusCode();
  }

  @Override
  public boolean committed() {
    return ctx.res().isCommitted();
  }

  /** Jetty's output stream, flushed after each write; taken at the first, where its IOException may be thrown. */
  private final class FlushingStream extends OutputStream {
    private OutputStream out;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      if (out == null) {
        out = ctx.res().getOutputStream();
      }
      out.write(bytes, offset, length);
      out.flush();
    }
  }
}
