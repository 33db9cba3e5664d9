package dev.ollamabridge.bridge.datapath;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The end of an upstream connection: hands what the backend sends to the exchange the connection
 * serves, and tells it when the connection breaks. While the connection is idle it serves none,
 * and anything the backend sends then is a protocol error that ends the connection.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  private final UpstreamChannels channels;
  private ClientExchange exchange;

  UpstreamHandler(UpstreamChannels channels) {
    this.channels = channels;
  }

  void serve(ClientExchange exchange) {
    this.exchange = exchange;
  }

  void idle() {
    this.exchange = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (exchange == null) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    exchange.upstreamRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.upstreamReadComplete();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent && exchange == null) {
      ctx.close(); // idle in the pool for the idle timeout: channelInactive forgets it
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ClientExchange serving = exchange;
    exchange = null;
    if (serving != null) {
      serving.upstreamBroke(ctx.channel(), null);
    } else {
      channels.forget(ctx.channel());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ClientExchange serving = exchange;
    exchange = null;
    if (serving != null) {
      serving.upstreamBroke(ctx.channel(), cause);
    }
    ctx.close();
  }
}
