package dev.ollamabridge.bridge.datapath;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * One request to the backend on a keep-alive connection of its client's event loop, and its
 * answer told to an {@link UpstreamListener}. A reused connection that breaks before the answer
 * begins (the backend closed it while it was idle) is replaced by a new one, once, unseen by the
 * listener. A connection whose answer was read to its end goes back to the loop's pool. Every
 * method runs on the loop.
 */
public final class UpstreamCall {

  private final UpstreamChannels pool;
  private final EventLoop loop;
  private final FullHttpRequest request;
  private final UpstreamListener listener;
  private Channel channel;
  private boolean reused;
  private boolean retried;
  private boolean headSeen;
  private boolean keepAlive;
  private boolean paused;
  private boolean done;

  UpstreamCall(UpstreamChannels pool, EventLoop loop, FullHttpRequest request, UpstreamListener listener) {
    this.pool = pool;
    this.loop = loop;
    this.request = request;
    this.listener = listener;
  }

  void start() {
    Channel idle = pool.pollIdle(loop);
    if (idle != null) {
      send(idle, true);
    } else {
      connect();
    }
  }

  private void connect() {
    pool.connect(loop).addListener((ChannelFutureListener) future -> {
      if (done) {
        future.channel().close(); // cancelled while it connected
        return;
      }
      if (!future.isSuccess()) {
        fail(future.cause(), true);
        return;
      }
      send(future.channel(), false);
    });
  }

  private void send(Channel upstream, boolean wasIdle) {
    channel = upstream;
    reused = wasIdle;
    upstream.pipeline().get(UpstreamHandler.class).serve(this);
    upstream.config().setAutoRead(!paused);
    upstream.writeAndFlush(request.retainedDuplicate()).addListener((ChannelFutureListener) future -> {
      if (!future.isSuccess()) {
        broke(future.channel(), future.cause());
      }
    });
  }

  /** Stops reading the backend's answer (the client cannot take more for now). */
  public void pause() {
    paused = true;
    if (channel != null) {
      channel.config().setAutoRead(false);
    }
  }

  /** Reads the backend's answer again. */
  public void resume() {
    paused = false;
    if (channel != null) {
      channel.config().setAutoRead(true);
    }
  }

  /** Ends the call: its connection is closed (the backend stops its work), and the listener hears nothing more. */
  public void cancel() {
    if (done) {
      return;
    }
    done = true;
    Channel upstream = letGo();
    if (upstream != null) {
      upstream.close();
    }
    request.release();
  }

  /** Whether the answer was read to its end, failed, or the call was cancelled. */
  public boolean done() {
    return done;
  }

  void read(Object msg) {
    if (done) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
      // not HTTP, or HTTP this client will not read: the connection is done for
      Throwable cause = object.decoderResult().cause();
      ReferenceCountUtil.release(msg);
      Channel upstream = channel;
      broke(upstream, new IOException("the upstream's answer is not valid HTTP: " + cause.getMessage(), cause));
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        ReferenceCountUtil.release(msg);
        return; // the request went whole: a 100 Continue says nothing
      }
      headSeen = true;
      keepAlive = HttpUtil.isKeepAlive(response);
      listener.head(response);
      if (done) { // the listener cancelled on seeing the head
        ReferenceCountUtil.release(msg);
        return;
      }
    }
    if (msg instanceof HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      if (last) {
        done = true;
        Channel upstream = letGo();
        upstream.config().setAutoRead(true);
        if (keepAlive) {
          pool.release(upstream);
        } else {
          upstream.close();
        }
        request.release();
      }
      listener.content(content);
    } else if (!(msg instanceof HttpResponse)) {
      ReferenceCountUtil.release(msg);
    }
  }

  void readComplete() {
    if (!done) {
      listener.readComplete();
    }
  }

  /** The connection broke or could not take the request; {@code cause} null for a plain close. */
  void broke(Channel upstream, Throwable cause) {
    if (done || upstream != channel) {
      return; // already let go of
    }
    letGo();
    upstream.close();
    if (!headSeen && reused && !retried) {
      retried = true; // the backend closed an idle connection as we reused it: once more on a new one
      connect();
      return;
    }
    fail(cause == null ? new IOException("the upstream closed the connection") : cause, !headSeen);
  }

  private void fail(Throwable cause, boolean beforeHead) {
    done = true;
    request.release();
    listener.failed(cause, beforeHead);
  }

  private Channel letGo() {
    Channel upstream = channel;
    channel = null;
    if (upstream != null) {
      upstream.pipeline().get(UpstreamHandler.class).idle();
    }
    return upstream;
  }
}
