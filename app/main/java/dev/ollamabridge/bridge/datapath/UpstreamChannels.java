package dev.ollamabridge.bridge.datapath;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * Keep-alive connections to the backend, kept per event loop: an exchange takes a connection of
 * its own client connection's loop, so the answer is read and written on one thread, and a loop's
 * idle connections are touched by that loop only (the map of loops is the one shared thing).
 */
final class UpstreamChannels {

  private final Bootstrap bootstrap;
  private final int maxIdle;
  private final Map<EventLoop, ArrayDeque<Channel>> idle = new ConcurrentHashMap<>();
  private final AtomicLong opened = new AtomicLong();
  private final AtomicInteger idleCount = new AtomicInteger();
  private final long idleNanos;

  UpstreamChannels(DataPathConfig config, Transport transport, ByteBufAllocator allocator) {
    this.maxIdle = config.idleUpstreamPerLoop();
    this.idleNanos = config.idleTimeout().toNanos();
    // resolved once, at start: a name lookup must not block an event loop
    InetSocketAddress backend = new InetSocketAddress(config.upstreamHost(), config.upstreamPort());
    SslContext tls = config.tls() ? clientTls() : null;
    this.bootstrap = new Bootstrap()
        .channel(transport.channel())
        .remoteAddress(backend)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, allocator)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            if (tls != null) {
              // the name for SNI and for checking the backend's certificate
              channel.pipeline().addLast("tls", tls.newHandler(channel.alloc(), config.upstreamHost(), config.upstreamPort()));
            }
            channel.pipeline().addLast("http", new HttpClientCodec());
            channel.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
            channel.pipeline().addLast("answer", new UpstreamHandler(UpstreamChannels.this));
          }
        });
  }

  /** TLS as the JDK does it, with its trusted authorities, checking that the certificate names the backend. */
  private static SslContext clientTls() {
    try {
      return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
    } catch (SSLException e) {
      throw new IllegalStateException("TLS to the upstream cannot be set up: " + e.getMessage(), e);
    }
  }

  /** An idle connection of {@code loop}, or null when it has none. Call on {@code loop}. */
  Channel pollIdle(EventLoop loop) {
    ArrayDeque<Channel> channels = idle.get(loop);
    if (channels == null) {
      return null;
    }
    Channel channel;
    while ((channel = channels.pollFirst()) != null) {
      idleCount.decrementAndGet();
      if (channel.isActive()) {
        return channel;
      }
    }
    return null;
  }

  /** A new connection on {@code loop}. */
  ChannelFuture connect(EventLoop loop) {
    opened.incrementAndGet();
    return bootstrap.clone(loop).connect();
  }

  /** Takes back a connection whose answer was read to its end; one too many is closed. Call on its loop. */
  void release(Channel channel) {
    ArrayDeque<Channel> channels = idle.computeIfAbsent(channel.eventLoop(), loop -> new ArrayDeque<>());
    if (channel.isActive() && channels.size() < maxIdle) {
      channels.offerFirst(channel); // the most recently used first: the others time out
      idleCount.incrementAndGet();
    } else {
      channel.close();
    }
  }

  /** Forgets an idle connection the backend closed. Call on its loop. */
  void forget(Channel channel) {
    ArrayDeque<Channel> channels = idle.get(channel.eventLoop());
    if (channels != null && channels.remove(channel)) {
      idleCount.decrementAndGet();
    }
  }

  /** Idle connections on every loop. */
  int idleCount() {
    return idleCount.get();
  }

  /** Upstream connections opened so far. */
  long opened() {
    return opened.get();
  }

  /** Closes the idle connections of every loop, each on its loop. */
  void closeIdle() {
    idle.forEach((loop, channels) -> loop.execute(() -> {
      Channel channel;
      while ((channel = channels.pollFirst()) != null) {
        idleCount.decrementAndGet();
        channel.close();
      }
    }));
  }
}
