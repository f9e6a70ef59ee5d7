package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.engine.Engine;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.function.BooleanSupplier;
import reactor.core.publisher.Sinks;

/**
 * Not thread-safe (JUnit's thread): what the interop tests talk to: an embedded engine served by
 * one {@link RSocketCacheServer} on TCP and on WebSocket ({@code /rsocket}), both on ephemeral
 * loopback ports, with a test-driven event source. Nothing here is specific to a client: each
 * third-party client connects with only the addresses and the wire format.
 */
final class InteropServer implements AutoCloseable {
  static final String WS_PATH = "/rsocket";

  final Engine engine;
  final Sinks.Many<CacheEvent> events = Sinks.many().multicast().directBestEffort();
  final RSocketCacheServer config;
  final RunningCacheServer running;

  private InteropServer() {
    engine = Engine.builder().poolBytes(16L << 20).threads(1).build();
    config = RSocketCacheServer.builder().host("127.0.0.1").caches(engine::cache)
        .events(events.asFlux()).tcp(0).webSocket(0, WS_PATH).build();
    running = config.start().block(WAIT);
  }

  static InteropServer start() {
    return new InteropServer();
  }

  /** A new cache of the engine, reachable at once through the server. */
  ByteCache createCache(String name) {
    return engine.createCache(CacheOptions.builder(name).maxKeyBytes(64).maxValueBytes(256)
        .shardBytes(1L << 20).build());
  }

  InetSocketAddress tcp() {
    return running.tcpAddress();
  }

  URI webSocketUri() {
    InetSocketAddress a = running.webSocketAddress();
    return URI.create("ws://" + a.getHostString() + ":" + a.getPort() + WS_PATH);
  }

  ServerCounters counters() {
    return running.counters();
  }

  /** Polls (yielding, no sleep) until {@code condition} holds; fails after {@code WAIT}. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
      Thread.yield();
    }
  }

  @Override
  public void close() {
    try {
      running.dispose().block(WAIT);
    } finally {
      engine.close().block(WAIT);
    }
  }
}
