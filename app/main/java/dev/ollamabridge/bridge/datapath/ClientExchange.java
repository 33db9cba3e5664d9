package dev.ollamabridge.bridge.datapath;

import dev.ollamabridge.logs.LogText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, on its event loop: each request is read whole (at most
 * {@code maxBodyBytes}, within {@code bodyTimeout}) and handed to the {@link Dispatcher} as a
 * {@link ClientCall}; the next request is read once that call has ended (requests sent ahead are
 * held, and the connection not read meanwhile). When the client leaves, the call under way hears
 * of it, which ends its backend's work.
 */
final class ClientExchange extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ClientExchange.class);

  private final DataPathConfig config;
  private final UpstreamChannels upstreams;
  private final Dispatcher dispatcher;
  private final ErrorAnswers errors;
  private final DataPathServer.Lifecycle lifecycle;
  private final String basePath;
  private final String hostHeader;

  private ChannelHandlerContext ctx;
  /** Messages of a request that came while another was answered (pipelining); the client is not read meanwhile. */
  private final ArrayDeque<Object> held = new ArrayDeque<>();

  // the request being read
  private HttpRequest head;
  private CompositeByteBuf body;
  private ScheduledFuture<?> deadline;
  /** The rest of a refused request is read and dropped until its last piece, then the connection closes. */
  private boolean discarding;

  /** The call under way; null between calls. */
  private ClientCall call;
  /** The body of the call under way, when it is handed on as it arrives; null otherwise. */
  private RequestStream streaming;

  ClientExchange(DataPathConfig config, UpstreamChannels upstreams, Dispatcher dispatcher, ErrorAnswers errors,
      DataPathServer.Lifecycle lifecycle) {
    this.config = config;
    this.upstreams = upstreams;
    this.dispatcher = dispatcher;
    this.errors = errors;
    this.lifecycle = lifecycle;
    this.basePath = config.upstreamBasePath();
    this.hostHeader = config.upstreamHostHeader();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (call != null && !(msg instanceof HttpContent && streamOpen())) {
      held.add(msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    read(msg);
  }

  private void read(Object msg) {
    try {
      if (msg instanceof HttpRequest request) {
        begin(request);
      }
      if (msg instanceof HttpContent content) {
        bodyPiece(content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void begin(HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      refuse(400, "the request could not be read as HTTP/1.1", "bad_request", "/");
      return;
    }
    if (!request.uri().startsWith("/")) {
      // absolute-form ("http://elsewhere/…") or "*": the backend must never be asked to proxy
      refuse(400, "the request target must be a path", "bad_request", "/");
      return;
    }
    if (dispatcher.streamsBody(request)) {
      startCall(request, Unpooled.EMPTY_BUFFER, new RequestStream(ctx.channel()));
      return;
    }
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > config.maxBodyBytes()) {
      refuse(413, "the request body is larger than " + config.maxBodyBytes() + " bytes", "request_too_large",
          request.uri());
      return;
    }
    head = request;
    body = ctx.alloc().compositeBuffer(64);
    deadline = ctx.executor().schedule(this::bodyTimedOut, config.bodyTimeout().toNanos(), TimeUnit.NANOSECONDS);
    if (HttpUtil.is100ContinueExpected(request)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
  }

  private void bodyPiece(HttpContent content) {
    if (streamOpen()) {
      streaming.offer(content.content().retain());
      if (content instanceof LastHttpContent) {
        streaming.complete();
      }
      return;
    }
    if (head == null) {
      if (discarding && content instanceof LastHttpContent) {
        ctx.close();
      }
      return; // the rest of a refused request
    }
    int size = content.content().readableBytes();
    if (size > 0) {
      if ((long) body.readableBytes() + size > config.maxBodyBytes()) {
        String path = head.uri();
        dropRequest();
        refuse(413, "the request body is larger than " + config.maxBodyBytes() + " bytes", "request_too_large", path);
        return;
      }
      body.addComponent(true, content.content().retain());
    }
    if (content instanceof LastHttpContent) {
      deadline.cancel(false);
      HttpRequest request = head;
      head = null;
      CompositeByteBuf whole = body;
      body = null;
      startCall(request, whole, null);
    }
  }

  private void bodyTimedOut() {
    if (head != null) {
      String path = head.uri();
      dropRequest();
      refuse(408, "the request body did not arrive within " + config.bodyTimeout().toMillis()
          + " ms; a client this slow needs a longer --body-timeout", "request_timeout", path);
    }
  }

  private void dropRequest() {
    if (deadline != null) {
      deadline.cancel(false);
    }
    head = null;
    if (body != null) {
      body.release();
      body = null;
    }
  }

  /** Answers an error of its own and closes the connection: the rest of the request is not worth reading. */
  private void refuse(int status, String message, String code, String path) {
    discarding = true;
    answerError(status, message, code, path, HttpVersion.HTTP_1_1, false);
  }

  private void startCall(HttpRequest request, ByteBuf whole, RequestStream stream) {
    boolean keepAlive = HttpUtil.isKeepAlive(request) && !lifecycle.stopping();
    ClientCall started = new ClientCall(this, ctx, request, whole, stream, keepAlive);
    call = started;
    streaming = stream;
    if (stream != null && HttpUtil.is100ContinueExpected(request)) { // a whole body's was answered as it began
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
    lifecycle.exchangeStarted();
    try {
      dispatcher.dispatch(started);
    } catch (RuntimeException e) {
      log.error("unexpected failure answering {} {}", request.method(), LogText.oneLine(started.path()), e);
      if (started.begun()) {
        started.abort();
      } else {
        failBeforeAnswer(started, 500, "internal error; the bridge's log tells what failed", "internal_error");
      }
    }
  }

  /** Makes {@code request} one for the backend: the API root's path, its Host, and a body framed by its length. */
  void toUpstream(FullHttpRequest request) {
    request.setUri(basePath + request.uri());
    HttpHeaders headers = request.headers();
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    headers.set(HttpHeaderNames.HOST, hostHeader);
    if (request.content().isReadable() || request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
    } else {
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    }
  }

  UpstreamChannels upstreams() {
    return upstreams;
  }

  /** Answers {@code call} with an error of the data path's own, before anything of its answer was written. */
  void failBeforeAnswer(ClientCall failed, int status, String message, String code) {
    byte[] bytes = errors.body(failed.path(), status, message, code);
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    failed.answer(status, headers, bytes);
  }

  /** {@code ended} is over; {@code reuse} whether the connection may carry the next request. */
  void callEnded(ClientCall ended, boolean reuse) {
    if (ended != call) {
      return;
    }
    call = null;
    streaming = null;
    lifecycle.exchangeEnded();
    if (!ctx.channel().isActive()) {
      return;
    }
    if (!reuse) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    readHeld();
  }

  /** The requests that came while the last one was answered, then reading on. */
  private void readHeld() {
    Object msg;
    while (call == null && ctx.channel().isActive() && (msg = held.poll()) != null) {
      read(msg);
    }
    if (call == null && held.isEmpty()) {
      if (lifecycle.stopping() && head == null) {
        ctx.close();
        return;
      }
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void answerError(int status, String message, String code, String path, HttpVersion version, boolean keepAlive) {
    byte[] bytes = errors.body(path, status, message, code);
    FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(status),
        Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    HttpUtil.setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Whether no exchange is under way: the connection may be closed at once on stop. */
  boolean idle() {
    return call == null && head == null;
  }

  /** Whether the call under way takes its body as it arrives, and it has not all come. */
  private boolean streamOpen() {
    return streaming != null && !streaming.isComplete();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent && idle()) {
      ctx.close(); // a keep-alive connection with nothing to do; a model that thinks long is not idleness
      return;
    }
    if (event instanceof IdleStateEvent && streamOpen() && !streaming.paused()) {
      // a body handed on as it arrives stopped arriving, while nothing held it back
      streaming.fail(new IOException("the request body stopped arriving for "
          + config.idleTimeout().toSeconds() + " s"));
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (call != null) {
      call.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dropRequest();
    held.forEach(ReferenceCountUtil::release);
    held.clear();
    ClientCall gone = call;
    if (streaming != null) {
      streaming.fail(new IOException("the client left before its request body was whole"));
    }
    if (gone != null) {
      lifecycle.cancelled();
      gone.clientGone();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset by the client, mostly; channelInactive cleans up
  }
}
