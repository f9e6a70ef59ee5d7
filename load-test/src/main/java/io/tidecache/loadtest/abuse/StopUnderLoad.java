package io.tidecache.loadtest.abuse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.ConnectionCloseException;
import io.rsocket.exceptions.RejectedException;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.TaggingMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.client.WebsocketClientTransport;
import io.rsocket.util.ByteBufPayload;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Runs once: a steady load (half gets, half puts) over 2 TCP and 2 WebSocket connections, each
 * with one {@code cache.scan} held open (it asks for one entry), until every connection has
 * closed or the time is up; send the server SIGTERM meanwhile. Every request is classified by
 * what came back: an answer, {@code CACHE_CLOSED} on its stream, the connection's
 * CONNECTION_CLOSE frame ({@code CACHE_CLOSED: the server is stopping...}), REJECTED
 * (overloaded), another error, the connection lost with no answer (a reset or a close without a
 * frame), or nothing at all by the end. A request is only sent on a connection not yet closed.
 *
 * <pre>
 * run io.tidecache.loadtest.abuse.StopUnderLoad --tcp-port 7878 --ws-port 7879 --rate 4000 \
 *     --seconds 60
 * </pre>
 */
public final class StopUnderLoad {
  private StopUnderLoad() {}

  /** What came back, by kind; thread-safe. */
  static final class Outcomes {
    final Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
    final AtomicLong sent = new AtomicLong();
    final LongAdder ended = new LongAdder();

    void count(String kind) {
      kinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
      ended.increment();
    }

    static String kindOf(Throwable e) {
      String m = String.valueOf(e.getMessage());
      if (e instanceof ApplicationErrorException && m.startsWith("CACHE_CLOSED")) {
        return "CACHE_CLOSED on its stream";
      }
      if (e instanceof ConnectionCloseException && m.startsWith("CACHE_CLOSED")) {
        return "CACHE_CLOSED on stream 0 (CONNECTION_CLOSE)";
      }
      if (e instanceof RejectedException) {
        return "REJECTED (overloaded)";
      }
      if (e instanceof ApplicationErrorException) {
        return "other error: " + m.split(":")[0];
      }
      return "no answer: connection lost (" + e.getClass().getSimpleName() + ")";
    }
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv, "StopUnderLoad [--host 127.0.0.1] [--tcp-port 7878] "
        + "[--ws-port 7879] [--path /rsocket] [--rate 4000] [--seconds 60] [--cache default]");
    String host = args.text("host", "127.0.0.1");
    int tcpPort = args.integer("tcp-port", 7878);
    int wsPort = args.integer("ws-port", 7879);
    String path = args.text("path", "/rsocket");
    int rate = args.integer("rate", 4000);
    int seconds = args.integer("seconds", 60);
    String cache = args.text("cache", "default");
    List<RSocket> connections = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      connections.add(RSocketConnector.create()
          .metadataMimeType("message/x.rsocket.composite-metadata.v0")
          .dataMimeType("application/octet-stream")
          .connect(TcpClientTransport.create(host, tcpPort)).block(Duration.ofSeconds(10)));
      connections.add(RSocketConnector.create()
          .metadataMimeType("message/x.rsocket.composite-metadata.v0")
          .dataMimeType("application/octet-stream")
          .connect(WebsocketClientTransport.create(
              java.net.URI.create("ws://" + host + ":" + wsPort + path)))
          .block(Duration.ofSeconds(10)));
    }
    Outcomes requests = new Outcomes();
    Outcomes scans = new Outcomes();
    byte[] getRoute = route("cache.get." + cache);
    byte[] putRoute = route("cache.put." + cache);
    connections.getFirst().requestResponse(payload(put("scan-me", 0), putRoute)).block();
    connections.getFirst().requestResponse(payload(put("scan-me-too", 0), putRoute)).block();
    for (RSocket rs : connections) {
      scans.sent.incrementAndGet();
      rs.requestStream(payload(new byte[0], route("cache.scan." + cache)))
          .subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
              request(1);
            }

            @Override
            protected void hookOnNext(Payload p) {
              p.release();
            }

            @Override
            protected void hookOnComplete() {
              scans.count("completed");
            }

            @Override
            protected void hookOnError(Throwable e) {
              scans.count(Outcomes.kindOf(e));
            }
          });
    }
    int perTickPerConnection = Math.max(1, rate / 1000 / connections.size());
    AtomicLong n = new AtomicLong();
    Disposable load = Flux.interval(Duration.ofMillis(1), Schedulers.single())
        .onBackpressureDrop()
        .subscribe(tick -> {
          for (RSocket rs : connections) {
            for (int i = 0; i < perTickPerConnection; i++) {
              if (rs.isDisposed()) {
                continue;
              }
              long k = n.incrementAndGet();
              Payload p = (k & 1) == 0 ? payload(key("key-" + (k % 10_000)), getRoute)
                  : payload(put("key-" + (k % 10_000), k), putRoute);
              requests.sent.incrementAndGet();
              rs.requestResponse(p).subscribe(
                  v -> v.release(), e -> requests.count(Outcomes.kindOf(e)),
                  () -> requests.count("answered"));
            }
          }
        });
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < end && connections.stream().anyMatch(rs -> !rs.isDisposed())) {
      Thread.sleep(100);
    }
    load.dispose();
    long settle = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < settle && requests.ended.sum() < requests.sent.get()) {
      Thread.sleep(50);
    }
    connections.forEach(RSocket::dispose);
    System.out.printf("requests sent: %,d%n", requests.sent.get());
    requests.kinds.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> System.out.printf("  %-55s %,d%n", e.getKey(), e.getValue().sum()));
    System.out.printf("  %-55s %,d%n", "nothing at all by the end",
        requests.sent.get() - requests.ended.sum());
    System.out.printf("scans held open: %d%n", scans.sent.get());
    scans.kinds.forEach((k, v) -> System.out.printf("  %-55s %d%n", k, v.sum()));
    System.exit(0);
  }

  private static byte[] key(String k) {
    return k.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] put(String key, long value) {
    byte[] k = key(key);
    return ByteBuffer.allocate(2 + k.length + 8 + 8).putShort((short) k.length).put(k)
        .putLong(0).putLong(value).array();
  }

  private static byte[] route(String route) {
    ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    CompositeByteBuf composite = alloc.compositeBuffer();
    ByteBuf routing = TaggingMetadataCodec.createRoutingMetadata(alloc, List.of(route))
        .getContent();
    CompositeMetadataCodec.encodeAndAddMetadata(composite, alloc,
        WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, routing);
    byte[] out = new byte[composite.readableBytes()];
    composite.readBytes(out);
    composite.release();
    return out;
  }

  private static Payload payload(byte[] data, byte[] metadata) {
    return ByteBufPayload.create(Unpooled.wrappedBuffer(data), Unpooled.wrappedBuffer(metadata));
  }
}
