package dev.ollamabridge.bridge.datapath;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's data path on event loops: an HTTP/1.1 server whose every exchange is read,
 * forwarded to the backend on a keep-alive connection of the same loop, and answered piece by
 * piece on that one thread (see {@link ClientExchange}). Epoll where it loads, NIO elsewhere; as
 * many loops as {@link DataPathConfig#loops()}. Closing it stops accepting, lets the exchanges in
 * flight finish for up to the shutdown timeout, then ends the loops.
 */
public final class DataPathServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DataPathServer.class);

  private final DataPathConfig config;
  private final EventLoopGroup loops;
  private final Channel listener;
  private final ChannelGroup clients;
  private final UpstreamChannels upstreams;
  private final Lifecycle lifecycle;
  private final PooledByteBufAllocator allocator;
  private final Transport transport;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DataPathServer(DataPathConfig config, EventLoopGroup loops, Channel listener, ChannelGroup clients,
      UpstreamChannels upstreams, Lifecycle lifecycle, PooledByteBufAllocator allocator, Transport transport) {
    this.config = config;
    this.loops = loops;
    this.listener = listener;
    this.clients = clients;
    this.upstreams = upstreams;
    this.lifecycle = lifecycle;
    this.allocator = allocator;
    this.transport = transport;
  }

  /** A plain proxy: every request goes to the backend as it came, but for {@code forwarding}'s rewrite. */
  public static DataPathServer start(DataPathConfig config, Forwarding forwarding, ErrorAnswers errors) {
    return start(config, Dispatcher.passThrough(forwarding), errors, Transport.best());
  }

  public static DataPathServer start(DataPathConfig config, Dispatcher dispatcher, ErrorAnswers errors) {
    return start(config, dispatcher, errors, Transport.best());
  }

  static DataPathServer start(DataPathConfig config, Dispatcher dispatcher, ErrorAnswers errors, Transport transport) {
    PooledByteBufAllocator allocator = allocator(config.loops());
    EventLoopGroup loops = new MultiThreadIoEventLoopGroup(config.loops(),
        new DefaultThreadFactory("bridge-loop", true), transport.ioHandlers());
    ChannelGroup clients = new DefaultChannelGroup("bridge-clients", GlobalEventExecutor.INSTANCE);
    Lifecycle lifecycle = new Lifecycle();
    try {
      UpstreamChannels upstreams = new UpstreamChannels(config, transport, allocator);
      Channel listener = new ServerBootstrap()
          .group(loops)
          .channel(transport.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 1024)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.ALLOCATOR, allocator)
          .childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
              clients.add(channel);
              channel.pipeline().addLast("http", new HttpServerCodec());
              channel.pipeline().addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
              channel.pipeline().addLast("exchange", new ClientExchange(config, upstreams, dispatcher, errors, lifecycle));
            }
          })
          .bind(config.listenHost(), config.listenPort())
          .syncUninterruptibly()
          .channel();
      log.info("data path listening on {} → {} ({} loops, {})", listener.localAddress(), config.upstream(),
          config.loops(), transport.name());
      return new DataPathServer(config, loops, listener, clients, upstreams, lifecycle, allocator, transport);
    } catch (RuntimeException e) {
      loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
  }

  /**
   * Pooled direct buffers, an arena per loop in chunks of 1 MiB (Netty's default is 4 MiB, and an
   * arena of heap buffers too): a bridge mostly idles, and what it touches of a chunk stays its
   * own. An answer's pieces are small; a larger buffer is allocated alone.
   */
  private static PooledByteBufAllocator allocator(int loops) {
    return new PooledByteBufAllocator(true, 0, loops, 8192, 7, PooledByteBufAllocator.defaultSmallCacheSize(),
        PooledByteBufAllocator.defaultNormalCacheSize(), true);
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** {@code epoll} or {@code nio}. */
  public String transport() {
    return transport.name();
  }

  /** Exchanges under way now. */
  public long inFlight() {
    return lifecycle.inFlight();
  }

  /** Exchanges ended because their client left before the answer was whole. */
  public long cancelled() {
    return lifecycle.cancelled.get();
  }

  /** Upstream connections kept idle for the next exchange, on every loop. */
  public int idleUpstreamConnections() {
    return upstreams.idleCount();
  }

  /** Upstream connections opened since start. */
  public long upstreamConnectionsOpened() {
    return upstreams.opened();
  }

  /** The buffers' allocator: its metrics tell how much memory the data path holds. */
  public ByteBufAllocator allocator() {
    return allocator;
  }

  /** Bytes the allocator holds in direct and heap arenas now (pooled chunks in use or cached). */
  public long bufferBytes() {
    PooledByteBufAllocatorMetric metric = allocator.metric();
    return metric.usedDirectMemory() + metric.usedHeapMemory();
  }

  /** Stops the server; a second call does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    lifecycle.stopping = true;
    listener.close().syncUninterruptibly();
    // connections between exchanges go now; the others close as their exchange ends
    for (Channel client : clients) {
      client.eventLoop().execute(() -> {
        ClientExchange exchange = client.pipeline().get(ClientExchange.class);
        if (exchange != null && exchange.idle()) {
          client.close();
        }
      });
    }
    if (!lifecycle.awaitIdle(config.shutdownTimeout().toNanos())) {
      log.warn("data path stopping with {} exchanges still under way after {} ms", lifecycle.inFlight(),
          config.shutdownTimeout().toMillis());
    }
    clients.close().awaitUninterruptibly();
    upstreams.closeIdle();
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Whether the server is stopping, and how many exchanges are under way: shared by every loop. */
  static final class Lifecycle {
    private volatile boolean stopping;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();

    boolean stopping() {
      return stopping;
    }

    void exchangeStarted() {
      inFlight.incrementAndGet();
    }

    void exchangeEnded() {
      if (inFlight.decrementAndGet() == 0 && stopping) {
        synchronized (this) {
          notifyAll();
        }
      }
    }

    void cancelled() {
      cancelled.incrementAndGet();
    }

    long inFlight() {
      return inFlight.get();
    }

    synchronized boolean awaitIdle(long timeoutNanos) {
      long end = System.nanoTime() + timeoutNanos;
      try {
        while (inFlight.get() > 0) {
          long left = end - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
