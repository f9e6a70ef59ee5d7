package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;

/**
 * Single-threaded (one per connection, called on its event loop): the Netty end of an
 * {@link OutboundBudget}. It sits last in the pipeline, where the frames rsocket-java queued
 * enter Netty, so it sees each one leave the send queue ({@link OutboundBudget#left}); and it
 * passes Netty's writability changes on.
 *
 * <p>Over TCP a frame enters as the length-prefixed {@link ByteBuf} that
 * {@link GuardedConnection} queued; over WebSocket as a {@link BinaryWebSocketFrame} around it.
 * Either way its size is the one counted when it was queued.
 */
final class OutboundMeter extends ChannelDuplexHandler {
  static final String NAME = "tidecache.outboundMeter";
  private final OutboundBudget budget;

  OutboundMeter(OutboundBudget budget) {
    this.budget = budget;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b) {
      budget.left(b.readableBytes());
    } else if (msg instanceof BinaryWebSocketFrame f) {
      budget.left(f.content().readableBytes());
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    budget.writabilityChanged();
    ctx.fireChannelWritabilityChanged();
  }
}
