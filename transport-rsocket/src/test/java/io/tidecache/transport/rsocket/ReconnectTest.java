package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.RawRSocket.bytes;
import static io.tidecache.transport.rsocket.ServerLimitsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.Disconnected;
import io.tidecache.engine.Engine;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): the client while its server is gone and after it comes back:
 * operations fail fast with {@link Disconnected} (or, best effort, reads miss and writes are
 * dropped and counted), and the client reconnects by itself once the server listens again.
 */
class ReconnectTest {
  private static Engine engine;
  private static ByteCache users;

  @BeforeAll
  static void start() {
    engine = Engine.builder().poolBytes(8L << 20).threads(1).build();
    users = engine.createCache(CacheOptions.builder("users").shardBytes(1L << 20).build());
  }

  @AfterAll
  static void stop() {
    engine.close().block(WAIT);
  }

  private static RunningCacheServer serve(int port) {
    return RSocketCacheServer.builder().caches(engine::cache).tcp(port).build().start()
        .block(WAIT);
  }

  private static RSocketCacheClient client(int port, boolean bestEffort) {
    return client("users", port, bestEffort);
  }

  private static RSocketCacheClient client(String cache, int port, boolean bestEffort) {
    return RSocketCacheClient.builder(cache).tcp("127.0.0.1", port).bestEffort(bestEffort)
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)).connect().block(WAIT);
  }

  @Test
  void operationsFailFastWhileTheServerIsGoneAndResumeWhenItIsBack() {
    RunningCacheServer server = serve(0);
    int port = server.tcpAddress().getPort();
    RSocketCacheClient strict = client(port, false);
    RSocketCacheClient lenient = client(port, true);
    try {
      strict.put(bytes("k"), bytes("v1")).block(WAIT);
      server.dispose().block(WAIT);
      await("both clients to see the disconnection",
          () -> !strict.connected() && !lenient.connected());

      StepVerifier.create(strict.get(bytes("k"))).verifyError(Disconnected.class);
      StepVerifier.create(strict.put(bytes("k"), bytes("v2"))).verifyError(Disconnected.class);
      assertThat(strict.failedFast()).isGreaterThanOrEqualTo(2);

      StepVerifier.create(lenient.get(bytes("k"))).verifyComplete();
      StepVerifier.create(lenient.put(bytes("k"), bytes("v2"))).verifyComplete();
      StepVerifier.create(lenient.remove(bytes("k"))).expectNext(false).verifyComplete();
      StepVerifier.create(lenient.putAll(Flux.just(new CacheEntry<>(bytes("x"), bytes("y")))))
          .expectNext(0L).verifyComplete();
      assertThat(lenient.missedReads()).isEqualTo(1);
      assertThat(lenient.droppedWrites()).isEqualTo(3);
      assertThat(users.get(bytes("k")).block(WAIT)).isEqualTo(bytes("v1"));

      server = serve(port);
      await("both clients to reconnect", () -> strict.connected() && lenient.connected());
      strict.put(bytes("k"), bytes("v3")).block(WAIT);
      assertThat(lenient.get(bytes("k")).block(WAIT)).isEqualTo(bytes("v3"));
      assertThat(strict.connects()).isEqualTo(2);
    } finally {
      strict.close().block(WAIT);
      lenient.close().block(WAIT);
      server.dispose().block(WAIT);
    }
  }

  @Test
  void aScanWhileDisconnectedIsEmptyBestEffortButAScanCutMidwayFailsInBothModes() {
    ByteCache scanned = engine.createCache(CacheOptions.builder("scanned")
        .shardBytes(1L << 20).build());
    scanned.putAll(Flux.range(0, 200).map(i -> new CacheEntry<>(bytes("k" + i), bytes("v"))))
        .block(WAIT);
    RunningCacheServer server = serve(0);
    int port = server.tcpAddress().getPort();
    RSocketCacheClient strict = client("scanned", port, false);
    RSocketCacheClient lenient = client("scanned", port, true);
    try {
      // cut midway: the scan has its first entry, then the server goes away
      RunningCacheServer running = server;
      StepVerifier.create(lenient.scan(), 1)
          .expectNextCount(1)
          .then(() -> running.dispose().block(WAIT))
          .expectError(Disconnected.class)
          .verify(WAIT);
      await("both clients to see the disconnection",
          () -> !strict.connected() && !lenient.connected());

      // asked for while disconnected
      StepVerifier.create(strict.scan()).verifyError(Disconnected.class);
      long missed = lenient.missedReads();
      StepVerifier.create(lenient.scan()).verifyComplete();
      assertThat(lenient.missedReads()).isEqualTo(missed + 1);

      server = serve(port);
      await("both clients to reconnect", () -> strict.connected() && lenient.connected());
      assertThat(lenient.scan().count().block(WAIT)).isEqualTo(200);
    } finally {
      strict.close().block(WAIT);
      lenient.close().block(WAIT);
      server.dispose().block(WAIT);
    }
  }

  @Test
  void connectGivesUpWithDisconnectedWhenNobodyListens() {
    RunningCacheServer server = serve(0);
    int port = server.tcpAddress().getPort();
    server.dispose().block(WAIT);
    StepVerifier.create(RSocketCacheClient.builder("users").tcp("127.0.0.1", port)
            .connectTimeout(Duration.ofMillis(300)).connect())
        .verifyError(Disconnected.class);
  }
}
