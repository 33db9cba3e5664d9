package dev.ollamabridge.bridge.datapath;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The end of an upstream connection: hands what the backend sends to the call the connection
 * serves, and tells it when the connection breaks. While the connection is idle it serves none,
 * and anything the backend sends then is a protocol error that ends the connection.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  private final UpstreamChannels channels;
  private UpstreamCall call;

  UpstreamHandler(UpstreamChannels channels) {
    this.channels = channels;
  }

  void serve(UpstreamCall call) {
    this.call = call;
  }

  void idle() {
    this.call = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (call == null) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    call.read(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (call != null) {
      call.readComplete();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent && call == null) {
      ctx.close(); // idle in the pool for the idle timeout: channelInactive forgets it
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamCall serving = call;
    call = null;
    if (serving != null) {
      serving.broke(ctx.channel(), null);
    } else {
      channels.forget(ctx.channel());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamCall serving = call;
    call = null;
    if (serving != null) {
      serving.broke(ctx.channel(), cause);
    }
    ctx.close();
  }
}
