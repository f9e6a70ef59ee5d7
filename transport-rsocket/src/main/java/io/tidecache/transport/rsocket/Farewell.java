package io.tidecache.transport.rsocket;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Stateless: closes a connection whose last frame has been written so that the client gets to
 * read it.
 *
 * <p>Closing a socket whose receive buffer still holds unread bytes makes the operating system
 * answer with a reset, and a reset may destroy what was written just before it: the client sees
 * "connection reset" instead of the ERROR frame that said why. That is the usual case here: a
 * server refuses a client that is still sending (a frame too large, a flood of requests, a stop
 * under load). So the server stops writing and keeps reading until the client has closed:
 * <ul>
 *   <li>TCP: shut the output down (after TLS's close_notify when there is TLS), so the client
 *       reads the last frame and then the end of the stream, and closes; the server's input end
 *       follows, and Netty closes the channel;
 *   <li>WebSocket: send a close frame; the client answers with its own, on which Reactor Netty
 *       closes the channel (RFC 6455: the server closes the TCP connection).
 * </ul>
 * Whatever the client sends meanwhile is read and dropped by the connection's owner. A client
 * that does not close within {@code linger} is closed on.
 */
final class Farewell {
  private Farewell() {}

  /**
   * Starts the farewell of {@code channel}, whose last frame has been written and flushed.
   * Called on its event loop.
   *
   * @param webSocket whether the channel speaks WebSocket (else RSocket's TCP framing)
   * @param status the WebSocket close status
   * @param reason the WebSocket close reason (short: it must fit a control frame)
   */
  static void start(Channel channel, boolean webSocket, WebSocketCloseStatus status,
      String reason, Duration linger) {
    if (!channel.isActive()) {
      channel.close();
      return;
    }
    Future<?> deadline = channel.eventLoop().schedule(() -> {
      channel.close();
    }, linger.toNanos(), TimeUnit.NANOSECONDS);
    channel.closeFuture().addListener(f -> deadline.cancel(false));
    channel.config().setAutoRead(true);
    if (webSocket) {
      channel.writeAndFlush(new CloseWebSocketFrame(status, shortReason(reason)));
      return;
    }
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl != null) {
      ssl.closeOutbound().addListener(f -> shutdownOutput(channel));
    } else {
      shutdownOutput(channel);
    }
  }

  private static void shutdownOutput(Channel channel) {
    if (channel instanceof DuplexChannel duplex && channel.isActive()) {
      duplex.shutdownOutput();
    } else {
      channel.close();
    }
  }

  /** A close frame's reason is at most 123 bytes of UTF-8. */
  static String shortReason(String reason) {
    String r = reason == null ? "" : reason;
    while (r.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 123) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }
}
