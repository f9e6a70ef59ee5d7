package io.tidecache.loadtest.abuse;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;

/**
 * Runs once: connections that open {@code cache.scan} streams with request n 2^31 - 1 and never
 * read, over TCP or WebSocket on loopback, held for a bounded time, then closed (a WebSocket
 * client's socket is closed at once, as when its process ends). Fill the cache first (for
 * example with {@code NonReadingClients}' sibling, the load generator, or any client).
 *
 * <pre>
 * run io.tidecache.loadtest.abuse.UnreadScans --transport tcp --port 7878 \
 *     --connections 20 --streams 256 --seconds 60
 * run io.tidecache.loadtest.abuse.UnreadScans --transport websocket --port 7879 --path /rsocket
 * </pre>
 */
public final class UnreadScans {
  private UnreadScans() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv, "UnreadScans [--transport tcp|websocket] [--host 127.0.0.1] "
        + "[--port 7878] [--path /rsocket] [--connections 20] [--streams 256] [--seconds 60] "
        + "[--cache default]");
    String transport = args.text("transport", "tcp");
    String host = args.text("host", "127.0.0.1");
    int port = args.integer("port", transport.equals("tcp") ? 7878 : 7879);
    String path = args.text("path", "/rsocket");
    int connections = args.integer("connections", 20);
    int streams = args.integer("streams", 256);
    int seconds = args.integer("seconds", 60);
    String cache = args.text("cache", "default");
    byte[][] frames = new byte[streams + 1][];
    frames[0] = AbuseFrames.setup();
    for (int i = 0; i < streams; i++) {
      frames[i + 1] = AbuseFrames.scan(1 + 2 * i, cache);
    }
    List<AutoCloseable> open = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      open.add(transport.equals("tcp") ? tcp(host, port, frames)
          : webSocket(host, port, path, frames));
    }
    System.out.printf("%d %s connection(s) x %d scans, request n 2^31 - 1, never read; holding "
        + "%d s%n", connections, transport, streams, seconds);
    Thread.sleep(seconds * 1000L);
    for (AutoCloseable c : open) {
      c.close();
    }
    System.out.println("done: closed");
  }

  private static AutoCloseable tcp(String host, int port, byte[][] frames) throws Exception {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(host, port), 10_000);
    OutputStream out = s.getOutputStream();
    out.write(AbuseFrames.tcp(frames));
    out.flush();
    return s;
  }

  private static AutoCloseable webSocket(String host, int port, String path, byte[][] frames) {
    AtomicReference<Connection> socket = new AtomicReference<>();
    Disposable ws = HttpClient.create()
        .websocket()
        .uri("ws://" + host + ":" + port + path)
        .handle((in, out) -> {
          socket.set((Connection) in);
          return out.sendObject(Flux.fromArray(frames)
              .map(f -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(f)))).then(Mono.never());
        })
        .subscribe();
    return () -> {
      Connection c = socket.get();
      if (c != null) {
        c.channel().close();
      }
      ws.dispose();
    };
  }
}
