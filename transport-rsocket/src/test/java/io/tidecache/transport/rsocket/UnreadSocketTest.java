package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.testing.RawFrames.key;
import static io.tidecache.transport.rsocket.testing.RawFrames.requestResponse;
import static io.tidecache.transport.rsocket.testing.RawFrames.requestStream;
import static io.tidecache.transport.rsocket.testing.RawFrames.setup;
import static io.tidecache.transport.rsocket.testing.RawFrames.tcp;
import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.ServerLimitsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.rsocket.RSocket;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheOptions;
import io.tidecache.engine.Engine;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;

/**
 * Not thread-safe (JUnit's thread): clients that ask and never read. The server must not hold
 * their answers without bound: it stops reading a connection whose client is behind
 * ({@link OutboundBudget}: reading paused, counted), its streams stop asking their cache for more
 * ({@link PacedByConnection}), and its event loop keeps serving every other connection.
 *
 * <p>Before (commit d62e60a): the server read every request of a client that never read and
 * queued every answer (64 MiB of gets: all read and answered into memory; in the run,
 * 2.68M requests in 20 s and RSS from 847 MiB to 3.4 GiB), and a scan with request n 2^31 - 1
 * on an unread socket asked the cache for everything at once and queued every entry.
 */
class UnreadSocketTest {
  private static final int VALUE = 32 << 10;
  private static final int GETS = 1_000;
  private static final int ENTRY_VALUE = 4 << 10;
  private static final int ENTRIES = 3_000;
  private static final int SCANS = 4;

  private Engine engine;
  private CountingCache users;
  private CountingCache items;
  private RSocketCacheServer config;
  private RunningCacheServer server;

  @BeforeEach
  void start() {
    engine = Engine.builder().poolBytes(64L << 20).threads(1).build();
    users = new CountingCache(engine.createCache(CacheOptions.builder("users").maxKeyBytes(16)
        .maxValueBytes(VALUE).shardBytes(4L << 20).build()));
    items = new CountingCache(engine.createCache(CacheOptions.builder("items").maxKeyBytes(16)
        .maxValueBytes(ENTRY_VALUE).shardBytes(32L << 20).build()));
    config = RSocketCacheServer.builder().caches(Map.of("users", users, "items", items)).tcp(0)
        
        .webSocket(0, "/rsocket").build();
    server = config.start().block(WAIT);
  }

  @AfterEach
  void stop() {
    server.dispose().block(WAIT);
    engine.close().block(WAIT);
  }

  /** {@code n} gets of key "k", on odd streams from 1, each with its length prefix. */
  private static byte[] gets(int n) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      out.writeBytes(tcp(requestResponse(1 + 2 * i, "cache.get.users", key("k"))));
    }
    return out.toByteArray();
  }

  /**
   * Waits until {@code value} has reached {@code target}, or has not moved for a second while
   * {@code held} is true (the server holds the client back), with a deadline.
   */
  static void awaitDoneOrHeld(String what, LongSupplier value, long target, BooleanSupplier held)
      throws InterruptedException {
    long deadline = System.nanoTime() + 6 * WAIT.toNanos();
    long last = -1;
    long since = System.nanoTime();
    while (value.getAsLong() < target) {
      long v = value.getAsLong();
      if (v != last || !held.getAsBoolean()) {
        last = v;
        since = System.nanoTime();
      } else if (System.nanoTime() - since > 1_000_000_000L) {
        return;
      }
      assertThat(System.nanoTime()).as("waiting for %s (at %d of %d)", what, v, target)
          .isLessThan(deadline);
      POLL.await(10, TimeUnit.MILLISECONDS);
    }
  }

  /** Never counted down: its timed await is the polling interval. */
  private static final CountDownLatch POLL = new CountDownLatch(1);

  @Test
  void aClientThatSendsRequestsAndNeverReadsStopsBeingReadAndOthersAreServed()
      throws Exception {
    byte[] value = new byte[VALUE];
    Arrays.fill(value, (byte) 'v');
    users.put(key("k"), value).block(WAIT);
    try (SocketChannel greedy = SocketChannel.open(server.tcpAddress())) {
      ByteBuffer requests = ByteBuffer.wrap(tcp(new byte[][] {setup()}));
      greedy.write(requests);
      requests = ByteBuffer.wrap(gets(GETS)); // 33 KB: the socket's buffers take it all
      while (requests.hasRemaining()) {
        greedy.write(requests);
      }
      awaitDoneOrHeld("the gets to be served or held back", users.gets::get, GETS,
          () -> config.counters().congested() == 1);
      assertThat(users.gets.get()).as("gets of %d KiB answered to a client that reads nothing "
          + "(of %d sent)", VALUE >> 10, GETS).isLessThan(GETS / 2);
      assertThat(config.counters().congested()).isEqualTo(1);
      assertThat(config.counters().congestedTotal()).isGreaterThanOrEqualTo(1);
      assertThat(config.counters().outboundQueued()).as("bytes queued for the client")
          .isLessThan(16L << 20);

      // The event loop is free: another connection is served while the greedy one waits.
      RSocket other = RawRSocket.connect(server.tcpAddress());
      try {
        assertThat(other.requestResponse(RawRSocket.request("cache.get.users", key("k")))
            .map(RawRSocket::text).block(WAIT)).hasSize(VALUE);
      } finally {
        other.dispose();
      }
    }
    await("the greedy connection to be gone", () -> config.counters().connections() == 0
        && config.counters().congested() == 0 && config.counters().outboundQueued() == 0
        && server.openConnections() == 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "websocket"})
  void scansOnAnUnreadSocketStopAskingTheCache(String transport) throws Exception {
    byte[] value = new byte[ENTRY_VALUE];
    assertThat(items.putAll(Flux.range(0, ENTRIES).map(i -> new CacheEntry<>(key("k" + i),
        value))).block(WAIT)).isEqualTo(ENTRIES);
    byte[][] frames = new byte[SCANS + 1][];
    frames[0] = setup();
    for (int i = 0; i < SCANS; i++) {
      frames[i + 1] = requestStream(1 + 2 * i, Integer.MAX_VALUE, "cache.scan.items",
          new byte[0]);
    }
    long total = (long) SCANS * ENTRIES;
    try (AutoCloseable client = transport.equals("tcp") ? unreadTcp(frames)
        : unreadWebSocket(frames)) {
      awaitDoneOrHeld("the scans to give everything or be held back", items.emitted::get, total,
          () -> config.counters().congested() == 1);
      assertThat(items.requested.get()).as("entries the server asked the cache for, for a client "
          + "that reads nothing").isLessThan(total / 4);
      assertThat(items.emitted.get()).as("entries given of %d", total).isLessThan(total / 4);
      assertThat(config.counters().outboundQueued()).isLessThan(8L << 20);
    }
    await("the scans to be cancelled with the connection", () -> items.cancelled.get() == SCANS
        && config.counters().inFlight() == 0 && config.counters().outboundQueued() == 0);
  }

  private AutoCloseable unreadTcp(byte[][] frames) throws java.io.IOException {
    SocketChannel ch = SocketChannel.open(server.tcpAddress());
    ByteBuffer b = ByteBuffer.wrap(tcp(frames));
    while (b.hasRemaining()) {
      ch.write(b);
    }
    return ch;
  }

  /**
   * A WebSocket client that sends the frames and never subscribes to what comes back; closing
   * it closes its socket at once, as a client process that ends does (its unread bytes make
   * that a reset).
   */
  private AutoCloseable unreadWebSocket(byte[][] frames) {
    AtomicReference<Connection> socket = new AtomicReference<>();
    Disposable ws = HttpClient.create()
        .websocket()
        .uri("ws://127.0.0.1:" + server.webSocketAddress().getPort() + "/rsocket")
        .handle((in, out) -> {
          socket.set((Connection) in);
          return out.sendObject(Flux.fromArray(frames)
              .map(f -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(f)))).then(Mono.never());
        })
        .subscribe();
    return () -> {
      socket.get().channel().close();
      ws.dispose();
    };
  }
}
