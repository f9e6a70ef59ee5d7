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

  RunningCacheServer(DisposableServer tcp, DisposableServer webSocket, String webSocketPath,
      ServerCounters counters, ChannelGroup connections) {
    this.connections = connections;
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

  /** Stops listening and closes every connection; completes when all are closed. Idempotent. */
  public Mono<Void> dispose() {
    return Mono.defer(() -> {
      if (tcp != null) {
        tcp.dispose();
      }
      if (webSocket != null) {
        webSocket.dispose();
      }
      Mono<Void> dropped = Mono.create(sink -> connections.close()
          .addListener(f -> sink.success()));
      return dropped.then(onClose());
    });
  }

  /** Completes when every transport of this server is closed. */
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
