package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.datapath.ClientCall;
import dev.ollamabridge.bridge.datapath.RequestStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A {@link ClientCall} as a route answering on a thread of its own sees it: the request was read
 * whole on the loop (its body copied here, since the call's buffer goes when the call ends), and
 * every write is handed to the call's loop. A streamed answer waits while the client cannot take
 * more, so a slow reader holds back the route, never the bridge's memory.
 */
final class LoopExchange implements Exchange {

  private final ClientCall call;
  private final EventLoop loop;
  private final RequestNotes notes;
  private final String method;
  private final String path;
  private final HttpHeaders headers;
  private final String remoteAddress;
  private final int localPort;
  private final byte[] body;
  private final HttpHeaders answerHeaders = new DefaultHttpHeaders();
  private volatile int status = 200;
  private volatile boolean committed;
  /** Set on the loop when the call ends, however it ends. */
  private volatile boolean ended;
  /** A write waiting for the client to take more; completed on the loop. */
  private volatile CompletableFuture<Void> writable;

  /** Made on the call's loop. */
  LoopExchange(ClientCall call, RequestNotes notes) {
    this.call = call;
    this.loop = call.loop();
    this.notes = notes;
    this.method = call.method().name();
    this.path = call.path();
    this.headers = call.headers();
    this.remoteAddress = call.remoteAddress();
    this.localPort = call.localPort();
    this.body = call.bodyBytes();
    call.onEnd(() -> {
      ended = true;
      CompletableFuture<Void> waiting = writable;
      if (waiting != null) {
        waiting.complete(null);
      }
    });
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String name) {
    return headers.get(name);
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public int localPort() {
    return localPort;
  }

  @Override
  public RequestNotes notes() {
    return notes;
  }

  @Override
  public long contentLength() {
    return call.declaredLength();
  }

  @Override
  public byte[] body(long maxBytes) {
    if (body.length > maxBytes) {
      throw new ApiException(413, "the request body is larger than " + maxBytes + " bytes", null, "request_too_large");
    }
    notes.requestBody(body);
    return body;
  }

  @Override
  public InputStream bodyStream() {
    RequestStream stream = call.requestStream(); // set once, as the call began: safe to read here
    return stream != null ? stream.input() : new ByteArrayInputStream(body);
  }

  @Override
  public Hangups hangups() {
    return Hangups.of(call);
  }

  @Override
  public void answerHeader(String name, String value) {
    answerHeaders.add(name, value);
  }

  @Override
  public void answer(int status, String contentType, byte[] body) {
    this.status = status;
    committed = true;
    HttpHeaders answer = typed(contentType);
    loop.execute(() -> call.answer(status, answer, body));
  }

  @Override
  public OutputStream stream(int status, String contentType) {
    this.status = status;
    committed = true;
    HttpHeaders answer = typed(contentType);
    loop.execute(() -> call.begin(status, answer));
    return new Pieces();
  }

  private HttpHeaders typed(String contentType) {
    HttpHeaders answer = answerHeaders.copy();
    if (contentType != null) {
      answer.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    return answer;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public boolean committed() {
    return committed;
  }

  /** Ends what the route left open once it returns: a begun answer, or none at all (its status, no body). */
  void routeReturned() {
    if (!committed) {
      answer(status, null, new byte[0]);
    } else {
      loop.execute(call::end);
    }
  }

  /** A streamed answer's body: each write sent at once, after waiting while the client cannot take more. */
  private final class Pieces extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      if (length == 0) {
        return;
      }
      awaitWritable();
      byte[] piece = Arrays.copyOfRange(bytes, offset, offset + length);
      loop.execute(() -> {
        call.write(Unpooled.wrappedBuffer(piece));
        call.flush();
      });
    }

    @Override
    public void close() {
      loop.execute(call::end);
    }

    private void awaitWritable() throws IOException {
      if (ended) {
        throw new IOException("the client has gone");
      }
      if (call.writable()) {
        return;
      }
      CompletableFuture<Void> ready = new CompletableFuture<>();
      writable = ready;
      loop.execute(() -> {
        if (call.ended() || call.writable()) {
          ready.complete(null);
        } else {
          call.whenWritable(() -> ready.complete(null));
        }
      });
      try {
        ready.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while the client was slow to read");
      } catch (ExecutionException e) {
        throw new IOException(e.getCause());
      } finally {
        writable = null;
      }
      if (ended) {
        throw new IOException("the client has gone");
      }
    }
  }
}
