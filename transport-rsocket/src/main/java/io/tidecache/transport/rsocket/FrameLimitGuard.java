package io.tidecache.transport.rsocket;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.AttributeKey;
import io.rsocket.exceptions.ConnectionErrorException;

/**
 * Thread-safe (stateless; one instance shared by every TCP connection, called on each
 * connection's event loop): answers a frame longer than the server's limit.
 *
 * <p>Netty's length decoder refuses such a frame by throwing {@link TooLongFrameException} and
 * discarding its bytes; left alone, the request would never be answered. This handler, placed
 * right after the decoder, refuses the connection through its {@link GuardedConnection}: an ERROR
 * frame on stream 0 (CONNECTION_ERROR, 0x101, message {@code FRAME_TOO_LARGE: ...}), counted, and
 * the connection closed once the client has read it: the stream the frame belonged to cannot be
 * known, so the connection cannot go on.
 *
 * <p>The limit is the RSocket frame's size, without the 3-byte TCP length prefix (the decoder is
 * given the limit plus the prefix), as on WebSocket where there is no prefix.
 */
@ChannelHandler.Sharable
final class FrameLimitGuard extends ChannelInboundHandlerAdapter {
  static final String NAME = "tidecache.frameLimitGuard";
  /** The TCP framing's length field: u24. */
  static final int LENGTH_PREFIX = 3;
  /** The connection of a channel, set by the {@link ConnectionHub}. */
  static final AttributeKey<GuardedConnection> CONNECTION =
      AttributeKey.valueOf("tidecache.connection");
  private final int maxFrame;

  FrameLimitGuard(int maxFrame) {
    this.maxFrame = maxFrame;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    GuardedConnection connection = ctx.channel().attr(CONNECTION).get();
    if (!(cause instanceof TooLongFrameException) || connection == null) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    String message = WireFormat.FRAME_TOO_LARGE + ": a frame of more than " + maxFrame
        + " bytes (the limit, not counting the TCP length prefix); fragment larger payloads. "
        + "Connection closed.";
    connection.refuse(new InboundCheck.Violation(ServerCounters.Refusal.FRAME_TOO_LARGE,
        new ConnectionErrorException(message)));
  }
}
