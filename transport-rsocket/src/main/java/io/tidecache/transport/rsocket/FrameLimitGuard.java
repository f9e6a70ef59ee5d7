package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.rsocket.exceptions.ConnectionErrorException;
import io.rsocket.frame.ErrorFrameCodec;
import io.rsocket.frame.FrameLengthCodec;

/**
 * Thread-safe (stateless but for counters; one instance shared by every TCP connection, called
 * on each connection's event loop): answers a frame longer than the server's limit.
 *
 * <p>Netty's length decoder refuses such a frame by throwing {@link TooLongFrameException} and
 * discarding its bytes; left alone, the request would never be answered. This handler, placed
 * right after the decoder, sends an ERROR frame on stream 0 (CONNECTION_ERROR, 0x101, message
 * {@code FRAME_TOO_LARGE: ...}), counts the refusal and closes the connection: the stream the
 * frame belonged to cannot be known, so the connection cannot go on.
 */
@ChannelHandler.Sharable
final class FrameLimitGuard extends ChannelInboundHandlerAdapter {
  static final String NAME = "tidecache.frameLimitGuard";
  private final ServerCounters counters;
  private final int maxFrame;

  FrameLimitGuard(ServerCounters counters, int maxFrame) {
    this.counters = counters;
    this.maxFrame = maxFrame;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof TooLongFrameException)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    counters.refused(ServerCounters.Refusal.FRAME_TOO_LARGE);
    String message = WireFormat.FRAME_TOO_LARGE + ": a frame exceeds the limit of " + maxFrame
        + " bytes (" + cause.getMessage() + "); fragment larger payloads. Connection closed.";
    ByteBuf error = ErrorFrameCodec.encode(ctx.alloc(), 0,
        new ConnectionErrorException(message));
    ByteBuf framed = FrameLengthCodec.encode(ctx.alloc(), error.readableBytes(), error);
    ctx.writeAndFlush(framed).addListener(ChannelFutureListener.CLOSE);
  }
}
