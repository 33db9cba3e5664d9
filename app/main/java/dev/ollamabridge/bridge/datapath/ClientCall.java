package dev.ollamabridge.bridge.datapath;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One exchange on a client connection: the request, read whole, and its answer, written whole or
 * piece by piece; the backend is called through {@link #send} or {@link #passThrough}. Every method
 * runs on the connection's event loop ({@link #loop()}), which is where a thread of its own hands
 * its writes to. The call ends when its answer has been written to its end, when it is aborted, or
 * when the client leaves; then its request's buffer is released and the connection reads on.
 */
public final class ClientCall {

  /** Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded; Expect is answered by the data path. */
  private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
      "proxy-connection", HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE,
      HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.PROXY_AUTHENTICATE);

  private final ClientExchange connection;
  private final ChannelHandlerContext ctx;
  private final HttpRequest head;
  private final ByteBuf body;
  private final RequestStream stream;
  private final String path;
  private boolean keepAlive;

  private boolean begun;
  private boolean ended;
  private boolean hungUp;
  private int status;
  private long bytesWritten;
  private Runnable whenWritable;
  private final List<Runnable> hangupHooks = new ArrayList<>(2);
  private final List<Runnable> endHooks = new ArrayList<>(2);
  private UpstreamCall upstream;

  ClientCall(ClientExchange connection, ChannelHandlerContext ctx, HttpRequest head, ByteBuf body, RequestStream stream,
      boolean keepAlive) {
    this.connection = connection;
    this.ctx = ctx;
    this.head = head;
    this.body = body;
    this.stream = stream;
    this.keepAlive = keepAlive;
    int query = head.uri().indexOf('?');
    this.path = query < 0 ? head.uri() : head.uri().substring(0, query);
  }

  // --- the request

  public HttpMethod method() {
    return head.method();
  }

  /** The request target as the client sent it, a path and maybe a query. */
  public String uri() {
    return head.uri();
  }

  /** The target's path, without its query. */
  public String path() {
    return path;
  }

  public HttpHeaders headers() {
    return head.headers();
  }

  /** The first value of a header, matched without regard to case; null when absent. */
  public String header(CharSequence name) {
    return head.headers().get(name);
  }

  /** The request's declared Content-Length; -1 when it declared none. */
  public long declaredLength() {
    return HttpUtil.getContentLength(head, -1L);
  }

  /** The request's body, read whole; valid until the call ends. */
  public ByteBuf body() {
    return body;
  }

  /**
   * The request's body as it arrives, when the dispatcher asked for it so
   * ({@link Dispatcher#streamsBody}); null when the body was read whole ({@link #body()}).
   */
  public RequestStream requestStream() {
    return stream;
  }

  /** A copy of the request's body. */
  public byte[] bodyBytes() {
    return ByteBufUtil.getBytes(body);
  }

  public String remoteAddress() {
    return ctx.channel().remoteAddress() instanceof InetSocketAddress address ? address.getAddress().getHostAddress() : "";
  }

  public int localPort() {
    return ctx.channel().localAddress() instanceof InetSocketAddress address ? address.getPort() : 0;
  }

  /** The loop every method of this call runs on. */
  public EventLoop loop() {
    return ctx.channel().eventLoop();
  }

  // --- the answer

  /** Writes the whole answer with its Content-Length, and ends the call. */
  public void answer(int status, HttpHeaders headers, byte[] bytes) {
    if (ended || begun) {
      return;
    }
    boolean headRequest = head.method() == HttpMethod.HEAD;
    FullHttpResponse response = new DefaultFullHttpResponse(head.protocolVersion(), HttpResponseStatus.valueOf(status),
        headRequest ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
    if (headers != null) {
      response.headers().set(headers);
    }
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    HttpUtil.setKeepAlive(response, keepAlive);
    begun = true;
    this.status = status;
    bytesWritten += headRequest ? 0 : bytes.length;
    ctx.writeAndFlush(response);
    end(keepAlive);
  }

  /** Begins an answer written piece by piece ({@link #write}, then {@link #end()}), chunked unless {@code headers} give a length. */
  public void begin(int status, HttpHeaders headers) {
    if (ended || begun) {
      return;
    }
    HttpResponse response = new DefaultHttpResponse(head.protocolVersion(), HttpResponseStatus.valueOf(status));
    if (headers != null) {
      response.headers().set(headers);
    }
    frame(response);
    this.status = status;
    begun = true;
    ctx.write(response);
  }

  /** One piece of a begun answer; sent at the next {@link #flush()}. */
  public void write(ByteBuf piece) {
    if (ended) {
      piece.release();
      return;
    }
    bytesWritten += piece.readableBytes();
    ctx.write(new DefaultHttpContent(piece));
  }

  public void write(byte[] piece) {
    write(Unpooled.wrappedBuffer(piece));
  }

  public void flush() {
    if (!ended) {
      ctx.flush();
    }
  }

  /** Ends a begun answer, and the call. */
  public void end() {
    if (ended) {
      return;
    }
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    end(keepAlive);
  }

  /** Ends the call by closing the connection: a begun answer that cannot go on (the client learns of it by the cut). */
  public void abort() {
    if (ended) {
      return;
    }
    cancelUpstream();
    end(false);
    ctx.close();
  }

  /** Whether the client takes more now; when it does not, {@link #whenWritable} says when it does again. */
  public boolean writable() {
    return ctx.channel().isWritable();
  }

  /** Runs {@code task} (once) when the client takes more again. */
  public void whenWritable(Runnable task) {
    whenWritable = task;
  }

  /** Runs {@code hook} (once) if the client leaves before the call ends. */
  public void onHangup(Runnable hook) {
    hangupHooks.add(hook);
  }

  /**
   * Runs {@code hook} once the call ends, however it ends. Hooks run in the reverse order of their
   * adding, as nested {@code finally} blocks do: the first added, the outermost, runs last.
   */
  public void onEnd(Runnable hook) {
    endHooks.add(0, hook);
  }

  /** Whether the status line has been written: a failure can no longer be a status. */
  public boolean begun() {
    return begun;
  }

  public boolean ended() {
    return ended;
  }

  /** Whether the client left before the call ended. */
  public boolean hungUp() {
    return hungUp;
  }

  /** The status written; 0 before one is. */
  public int status() {
    return status;
  }

  /** The answer's body bytes written so far. */
  public long bytesWritten() {
    return bytesWritten;
  }

  // --- the backend

  /**
   * Sends {@code request} (its target a path under the API root, its body whole) to the backend on
   * a keep-alive connection of this loop, with the root's path, Host and Content-Length set; the
   * answer goes to {@code listener}. The call's request buffer is not touched.
   */
  public UpstreamCall send(FullHttpRequest request, UpstreamListener listener) {
    connection.toUpstream(request);
    UpstreamCall call = new UpstreamCall(connection.upstreams(), loop(), request, listener);
    upstream = call;
    call.start();
    return call;
  }

  /** Sends the client's request to the backend as it came, but for {@code forwarding}, and its answer back as it comes. */
  public void passThrough(Forwarding forwarding) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, head.method(), head.uri(),
        body.retainedDuplicate(), head.headers().copy(), EmptyHttpHeaders.INSTANCE);
    HttpHeaders headers = request.headers();
    stripHopByHop(headers);
    headers.remove(HttpHeaderNames.EXPECT);
    forwarding.rewrite(request);
    send(request, new Relay());
  }

  /** The backend's answer as it comes: status, headers (but hop-by-hop ones) and body. */
  private final class Relay implements UpstreamListener {
    @Override
    public void head(HttpResponse response) {
      stripHopByHop(response.headers());
      response.setProtocolVersion(head.protocolVersion());
      frame(response);
      status = response.status().code();
      begun = true;
      ctx.write(response);
    }

    @Override
    public void content(HttpContent content) {
      if (ended) {
        content.release();
        return;
      }
      bytesWritten += content.content().readableBytes();
      if (content instanceof LastHttpContent) {
        ctx.writeAndFlush(content);
        end(keepAlive);
        return;
      }
      ctx.write(content);
      if (!writable()) {
        upstream.pause();
        whenWritable(upstream::resume);
      }
    }

    @Override
    public void failed(Throwable cause, boolean beforeHead) {
      if (beforeHead) {
        connection.failBeforeAnswer(ClientCall.this, 502, "the upstream could not be reached or broke before its answer"
            + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()), "upstream_error");
      } else {
        abort(); // the status line is out: the client learns of the break from the connection's end
      }
    }

    @Override
    public void readComplete() {
      flush();
    }
  }

  /** Sets the framing and keep-alive of an answer's head for this client. */
  private void frame(HttpResponse response) {
    HttpVersion version = head.protocolVersion();
    boolean hasLength = HttpUtil.isContentLengthSet(response);
    boolean chunked = HttpUtil.isTransferEncodingChunked(response);
    if (version.equals(HttpVersion.HTTP_1_0) && chunked) {
      // an HTTP/1.0 client knows no chunks: the body ends when the connection does
      response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
      keepAlive = false;
    } else if (!hasLength && !chunked && mayHaveBody(response)) {
      if (version.equals(HttpVersion.HTTP_1_0)) {
        keepAlive = false;
      } else {
        HttpUtil.setTransferEncodingChunked(response, true);
      }
    }
    HttpUtil.setKeepAlive(response, keepAlive);
  }

  private boolean mayHaveBody(HttpResponse response) {
    int code = response.status().code();
    return head.method() != HttpMethod.HEAD && code != 204 && code != 304;
  }

  // --- told by the connection

  void writabilityChanged() {
    if (whenWritable != null && writable()) {
      Runnable task = whenWritable;
      whenWritable = null;
      task.run();
    }
  }

  /** The client left before the call ended. */
  void clientGone() {
    if (ended) {
      return;
    }
    hungUp = true;
    cancelUpstream();
    for (Runnable hook : List.copyOf(hangupHooks)) {
      hook.run();
    }
    end(false);
  }

  private void cancelUpstream() {
    if (upstream != null) {
      upstream.cancel();
    }
  }

  private void end(boolean reuse) {
    if (ended) {
      return;
    }
    ended = true;
    whenWritable = null;
    body.release();
    if (stream != null) {
      if (!stream.isComplete()) {
        reuse = false; // the rest of the body is not worth reading: the connection closes
      }
      stream.fail(new IOException("the answer was written before the request body was read"));
    }
    for (Runnable hook : List.copyOf(endHooks)) {
      hook.run();
    }
    connection.callEnded(this, reuse);
  }

  static void stripHopByHop(HttpHeaders headers) {
    String connection = headers.get(HttpHeaderNames.CONNECTION);
    if (connection != null) {
      for (String named : connection.split(",")) {
        String name = named.strip();
        if (!name.isEmpty()) {
          headers.remove(name);
        }
      }
    }
    HOP_BY_HOP.forEach(headers::remove);
  }
}
