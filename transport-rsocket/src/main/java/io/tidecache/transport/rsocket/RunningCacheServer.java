package io.tidecache.transport.rsocket;

import io.netty.channel.group.ChannelGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;

/**
 * Thread-safe: a started {@link RSocketCacheServer}: its bound addresses, its counters, and the
 * way to stop it.
 */
public final class RunningCacheServer {
  private final DisposableServer tcp;
  private final DisposableServer webSocket;
  private final String webSocketPath;
  private final ServerCounters counters;
  private final ChannelGroup connections;
  private final ConnectionHub hub;

  RunningCacheServer(DisposableServer tcp, DisposableServer webSocket, String webSocketPath,
      ServerCounters counters, ChannelGroup connections, ConnectionHub hub) {
    this.connections = connections;
    this.hub = hub;
    this.tcp = tcp;
    this.webSocket = webSocket;
    this.webSocketPath = webSocketPath;
    this.counters = counters;
  }

  /** The bound TCP address, or {@code null} when TCP is not served. */
  public InetSocketAddress tcpAddress() {
    return tcp == null ? null : (InetSocketAddress) tcp.address();
  }

  /** The bound WebSocket (HTTP) address, or {@code null} when WebSocket is not served. */
  public InetSocketAddress webSocketAddress() {
    return webSocket == null ? null : (InetSocketAddress) webSocket.address();
  }

  /** The path of the WebSocket endpoint. */
  public String webSocketPath() { return webSocketPath; }

  public ServerCounters counters() { return counters; }

  /**
   * Stops listening, and only that: the listening sockets close (a new connection is refused by
   * the operating system), while the connections already established keep being served, their
   * requests in flight included, until {@link #dispose()}. Completes once every listener is
   * closed. Idempotent. This is the first step of a graceful stop: stop accepting, drain, then
   * dispose.
   *
   * <p>How: each transport is one Netty server channel, the parent of the channels it accepted.
   * Closing the server channel (Reactor Netty's {@link DisposableServer#dispose()}) releases the
   * port and leaves its children open; they are closed by {@link #dispose()}, through the
   * channel group that every accepted connection joins.
   */
  public Mono<Void> stopAccepting() {
    return Mono.defer(() -> {
      closeListeners();
      return onClose();
    });
  }

  /**
   * Tells every RSocket connection that the server is stopping, after the frames already queued
   * on it: an ERROR frame on stream 0, CONNECTION_CLOSE (0x102), whose message is
   * {@code CACHE_CLOSED: <reason>}; then closes it once its client has read that (the client
   * closes, or a linger of 2 s passes; whatever the client sent meanwhile is read and dropped,
   * counted in {@link ServerCounters#requestsAfterClose()}). A client's requests that got no
   * answer before that frame were not served: the frame ends them. Completes when every such
   * connection is closed. HTTP connections are left to {@link #dispose()}.
   *
   * <p>This is the last step of a graceful stop, after the requests in flight have been answered:
   * a connection closed without it would reset the requests still in transit, unanswered.
   */
  public Mono<Void> closeConnections(String reason) {
    return hub.closeAll(new io.rsocket.exceptions.ConnectionCloseException(
        WireFormat.CACHE_CLOSED + ": " + reason));
  }

  /** RSocket connections open now, set up or not. */
  public int openConnections() {
    return hub.open();
  }

  /**
   * Stops listening and closes every connection; completes when all are closed. Idempotent, and
   * may follow {@link #stopAccepting()}.
   */
  public Mono<Void> dispose() {
    return Mono.defer(() -> {
      closeListeners();
      Mono<Void> dropped = Mono.create(sink -> connections.close()
          .addListener(f -> sink.success()));
      return dropped.then(onClose());
    });
  }

  /** Closes the server channels (idempotent); their accepted children stay open. */
  private void closeListeners() {
    if (tcp != null) {
      tcp.dispose();
    }
    if (webSocket != null) {
      webSocket.dispose();
    }
  }

  /** Completes when every listener of this server is closed (connections may still be open). */
  public Mono<Void> onClose() {
    List<Mono<Void>> closing = new ArrayList<>(2);
    if (tcp != null) {
      closing.add(tcp.onDispose());
    }
    if (webSocket != null) {
      closing.add(webSocket.onDispose());
    }
    return Mono.whenDelayError(closing);
  }
}
