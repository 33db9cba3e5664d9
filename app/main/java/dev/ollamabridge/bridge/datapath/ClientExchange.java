package dev.ollamabridge.bridge.datapath;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client connection's exchanges, all on its event loop: a request is read whole (at most
 * {@code maxBodyBytes}, within {@code bodyTimeout}), rewritten and sent on a keep-alive upstream
 * connection of the same loop, and the answer is written back piece by piece as it arrives, each
 * piece the buffer the backend's bytes were read into. While the client cannot take more, the
 * upstream connection is not read; when the client leaves, the upstream connection is closed,
 * which ends the backend's work. A reused upstream connection that breaks before its answer
 * begins (the backend closed it while idle) is replaced by a new one, once.
 */
final class ClientExchange extends ChannelInboundHandlerAdapter {

  /** Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded; Expect is answered here. */
  private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
      "proxy-connection", HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE,
      HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.PROXY_AUTHENTICATE);

  private final DataPathConfig config;
  private final UpstreamChannels upstreams;
  private final Forwarding forwarding;
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

  // the exchange under way
  private FullHttpRequest sent;
  private boolean clientKeepAlive;
  private HttpVersion clientVersion;
  private Channel upstream;
  private boolean reused;
  private boolean retried;
  private boolean answerStarted;
  private boolean upstreamKeepAlive;
  private boolean busy;

  ClientExchange(DataPathConfig config, UpstreamChannels upstreams, Forwarding forwarding, ErrorAnswers errors,
      DataPathServer.Lifecycle lifecycle) {
    this.config = config;
    this.upstreams = upstreams;
    this.forwarding = forwarding;
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
    if (busy) {
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
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > config.maxBodyBytes()) {
      refuse(413, "the request body is larger than this bridge takes (" + config.maxBodyBytes() + " bytes)",
          "body_too_large", request.uri());
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
        refuse(413, "the request body is larger than this bridge takes (" + config.maxBodyBytes() + " bytes)",
            "body_too_large", path);
        return;
      }
      body.addComponent(true, content.content().retain());
    }
    if (content instanceof LastHttpContent) {
      deadline.cancel(false);
      forward();
    }
  }

  private void bodyTimedOut() {
    if (head != null) {
      String path = head.uri();
      dropRequest();
      refuse(408, "the request body did not arrive within " + config.bodyTimeout().toMillis() + " ms", "body_timeout", path);
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

  private void forward() {
    HttpRequest request = head;
    head = null;
    clientVersion = request.protocolVersion();
    clientKeepAlive = HttpUtil.isKeepAlive(request) && !lifecycle.stopping();
    FullHttpRequest upstreamRequest = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(),
        basePath + request.uri(), body, request.headers(), EmptyHttpHeaders.INSTANCE);
    body = null;
    HttpHeaders headers = upstreamRequest.headers();
    stripHopByHop(headers);
    headers.remove(HttpHeaderNames.EXPECT);
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    headers.set(HttpHeaderNames.HOST, hostHeader);
    if (upstreamRequest.content().isReadable() || request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, upstreamRequest.content().readableBytes());
    }
    forwarding.rewrite(upstreamRequest);
    sent = upstreamRequest;
    busy = true;
    answerStarted = false;
    retried = false;
    lifecycle.exchangeStarted();
    Channel idle = upstreams.pollIdle(ctx.channel().eventLoop());
    if (idle != null) {
      send(idle, true);
    } else {
      connect();
    }
  }

  private void connect() {
    upstreams.connect(ctx.channel().eventLoop()).addListener((ChannelFutureListener) future -> {
      if (!future.isSuccess()) {
        if (busy && sent != null) {
          failBeforeAnswer(502, "the upstream could not be reached: " + future.cause().getMessage(), "upstream_unreachable");
        }
        return;
      }
      if (!busy || sent == null || !ctx.channel().isActive()) { // the client left while it connected
        future.channel().close();
        return;
      }
      send(future.channel(), false);
    });
  }

  private void send(Channel channel, boolean wasIdle) {
    upstream = channel;
    reused = wasIdle;
    channel.pipeline().get(UpstreamHandler.class).serve(this);
    channel.config().setAutoRead(ctx.channel().isWritable());
    channel.writeAndFlush(sent.retainedDuplicate()).addListener((ChannelFutureListener) future -> {
      if (!future.isSuccess()) {
        upstreamBroke(future.channel(), future.cause());
      }
    });
  }

  /** What the backend sent, on the upstream connection's (and so this connection's) loop. */
  void upstreamRead(Object msg) {
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        ReferenceCountUtil.release(msg);
        return; // the request went whole: a 100 Continue says nothing to this client
      }
      answerStarted = true;
      upstreamKeepAlive = HttpUtil.isKeepAlive(response);
      rewriteAnswer(response);
    }
    if (msg instanceof HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      ctx.write(msg);
      if (last) {
        ctx.flush();
        finish(upstreamKeepAlive);
      } else if (!ctx.channel().isWritable()) {
        upstream.config().setAutoRead(false); // on again in channelWritabilityChanged
      }
    } else if (msg instanceof HttpResponse) {
      ctx.write(msg);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void rewriteAnswer(HttpResponse response) {
    HttpHeaders headers = response.headers();
    stripHopByHop(headers);
    response.setProtocolVersion(clientVersion);
    boolean hasLength = HttpUtil.isContentLengthSet(response);
    boolean chunked = HttpUtil.isTransferEncodingChunked(response);
    if (clientVersion.equals(HttpVersion.HTTP_1_0) && chunked) {
      // an HTTP/1.0 client knows no chunks: the body ends when the connection does
      headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
      clientKeepAlive = false;
    } else if (!hasLength && !chunked && mayHaveBody(response)) {
      if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
        clientKeepAlive = false;
      } else {
        HttpUtil.setTransferEncodingChunked(response, true);
      }
    }
    HttpUtil.setKeepAlive(response, clientKeepAlive);
  }

  private boolean mayHaveBody(HttpResponse response) {
    int code = response.status().code();
    return sent.method() != HttpMethod.HEAD && code != 204 && code != 304;
  }

  void upstreamReadComplete() {
    ctx.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (upstream != null && ctx.channel().isWritable()) {
      upstream.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  /** The upstream connection broke or could not take the request; {@code cause} null for a plain close. */
  void upstreamBroke(Channel channel, Throwable cause) {
    if (channel != upstream) {
      return; // already let go of
    }
    channel.pipeline().get(UpstreamHandler.class).idle();
    upstream = null;
    channel.close();
    if (!busy) {
      return;
    }
    if (answerStarted) {
      // the status line is out: the client learns of the break from the connection's end
      endExchange();
      ctx.close();
      return;
    }
    if (reused && !retried) {
      retried = true; // the backend closed an idle connection as we reused it: once more on a new one
      connect();
      return;
    }
    failBeforeAnswer(502, "the upstream connection broke before its answer" + (cause == null ? "" : ": " + cause.getMessage()),
        "upstream_error");
  }

  private void failBeforeAnswer(int status, String message, String code) {
    String path = sent.uri().substring(basePath.length());
    HttpVersion version = clientVersion;
    boolean keepAlive = clientKeepAlive;
    endExchange();
    answerError(status, message, code, path, version, keepAlive);
    readHeld();
  }

  private void finish(boolean reusable) {
    Channel channel = upstream;
    upstream = null;
    channel.pipeline().get(UpstreamHandler.class).idle();
    channel.config().setAutoRead(true);
    if (reusable) {
      upstreams.release(channel);
    } else {
      channel.close();
    }
    boolean keepAlive = clientKeepAlive;
    endExchange();
    if (!keepAlive) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    readHeld();
  }

  private void endExchange() {
    busy = false;
    if (sent != null) {
      sent.release();
      sent = null;
    }
    lifecycle.exchangeEnded();
  }

  /** The requests that came while the last one was answered, then reading on. */
  private void readHeld() {
    Object msg;
    while (!busy && ctx.channel().isActive() && (msg = held.poll()) != null) {
      read(msg);
    }
    if (!busy && held.isEmpty()) {
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
    return !busy && head == null;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent && idle()) {
      ctx.close(); // a keep-alive connection with nothing to do; a model that thinks long is not idleness
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dropRequest();
    held.forEach(ReferenceCountUtil::release);
    held.clear();
    if (busy) {
      lifecycle.cancelled();
      Channel channel = upstream;
      upstream = null;
      if (channel != null) {
        channel.pipeline().get(UpstreamHandler.class).idle();
        channel.close(); // the backend stops generating for nobody
      }
      endExchange();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset by the client, mostly; channelInactive cleans up
  }

  private static void stripHopByHop(HttpHeaders headers) {
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
