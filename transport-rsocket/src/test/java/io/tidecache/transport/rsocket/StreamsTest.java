package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.RawRSocket.bytes;
import static io.tidecache.transport.rsocket.RawRSocket.payload;
import static io.tidecache.transport.rsocket.RawRSocket.request;
import static io.tidecache.transport.rsocket.ServerLimitsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.LeaseEvent;
import io.tidecache.api.ShardEvent;
import io.tidecache.engine.Engine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): the streams and channels: events as JSON, stats per
 * interval, backpressure toward a slow consumer (the server produces only what was requested and
 * buffers a bounded, counted amount), and clean-up when a client disconnects mid-stream or
 * mid-channel (the server cancels its subscriptions and frees the in-flight slots).
 */
class StreamsTest {
  private static final int EVENT_BUFFER = 8;
  private static Engine engine;
  private static ByteCache users;
  private Sinks.Many<CacheEvent> events;
  private RSocketCacheServer config;
  private RunningCacheServer server;
  private RSocketCacheClient client;

  @BeforeAll
  static void startEngine() {
    engine = Engine.builder().poolBytes(8L << 20).threads(1).build();
    users = engine.createCache(CacheOptions.builder("users").shardBytes(1L << 20).build());
  }

  @AfterAll
  static void stopEngine() {
    engine.close().block(WAIT);
  }

  @BeforeEach
  void startServer() {
    events = Sinks.many().multicast().directBestEffort();
    config = RSocketCacheServer.builder().caches(engine::cache).events(events.asFlux())
        .eventBuffer(EVENT_BUFFER).tcp(0).build();
    server = config.start().block(WAIT);
    client = RSocketCacheClient.builder("users")
        .tcp(server.tcpAddress().getHostString(), server.tcpAddress().getPort())
        .connect().block(WAIT);
  }

  @AfterEach
  void stopServer() {
    client.close().block(WAIT);
    server.dispose().block(WAIT);
  }

  private static LeaseEvent lease(long id) {
    return new LeaseEvent(LeaseEvent.Kind.ACQUIRED, id, 1024, 1000 + id, 31_000 + id);
  }

  @Test
  void eventsArriveAsJsonWithTheirType() {
    StepVerifier.create(client.events().take(2))
        .then(() -> await("the events subscriber", () -> events.currentSubscriberCount() == 1))
        .then(() -> {
          events.tryEmitNext(lease(7));
          events.tryEmitNext(new ShardEvent.ShardAdded("users", 1, 9, 2048, 5));
        })
        .expectNext("{\"type\":\"LeaseEvent\",\"kind\":\"ACQUIRED\",\"leaseId\":7,\"bytes\":1024,"
            + "\"atMillis\":1007,\"expiresAtMillis\":31007}")
        .expectNext("{\"type\":\"ShardAdded\",\"cache\":\"users\",\"shard\":1,\"leaseId\":9,"
            + "\"bytes\":2048,\"atMillis\":5}")
        .verifyComplete();
  }

  @Test
  void aSlowEventsConsumerGetsOnlyWhatItAskedForAndTheServerBuffersABoundedAmount() {
    RSocket raw = RawRSocket.connect(server.tcpAddress());
    List<String> received = new CopyOnWriteArrayList<>();
    BaseSubscriber<Payload> slow = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
        request(2);
      }

      @Override
      protected void hookOnNext(Payload p) {
        received.add(RawRSocket.text(p));
      }
    };
    try {
      raw.requestStream(request("events", new byte[0])).subscribe(slow);
      await("the events subscriber", () -> events.currentSubscriberCount() == 1);
      for (int i = 0; i < 100; i++) {
        events.tryEmitNext(lease(i));
      }
      await("two events", () -> received.size() == 2);
      // A round trip on the same connection: anything the server had produced for the stream
      // would have been written before this answer.
      StepVerifier.create(raw.requestResponse(request("cache.get.users", bytes("nope"))))
          .verifyComplete();
      assertThat(received).hasSize(2);
      assertThat(config.counters().eventsDropped()).isEqualTo(100 - 2 - EVENT_BUFFER);
      slow.request(1_000);
      await("the buffered events", () -> received.size() == 2 + EVENT_BUFFER);
      assertThat(received.getLast()).contains("\"leaseId\":99,");
    } finally {
      slow.dispose();
      raw.dispose();
    }
  }

  @Test
  void theStatsStreamSkipsTicksNobodyAskedFor() {
    users.put(bytes("k"), bytes("v")).block(WAIT);
    StepVerifier.create(client.statsStream(Duration.ofMillis(10)), 2)
        .assertNext(s -> assertThat(s.cache()).isEqualTo("users"))
        .assertNext(s -> assertThat(s).isInstanceOf(CacheStats.class))
        .then(() -> await("skipped ticks", () -> config.counters().statsSkipped() >= 3))
        .thenRequest(1)
        .expectNextCount(1)
        .thenCancel()
        .verify(WAIT);
    await("the stream to end", () -> config.counters().inFlight() == 0);
  }

  @Test
  void aClientThatDisconnectsMidStreamLeavesNothingBehind() {
    RSocket raw = RawRSocket.connect(server.tcpAddress());
    raw.requestStream(request("events", new byte[0])).subscribe(Payload::release, e -> { });
    raw.requestStream(request("stats.users", ByteBuffer.allocate(4).putInt(10).array()))
        .subscribe(Payload::release, e -> { });
    await("two streams in flight", () -> config.counters().inFlight() == 2
        && events.currentSubscriberCount() == 1);
    raw.dispose();
    await("the server to cancel both", () -> config.counters().inFlight() == 0
        && events.currentSubscriberCount() == 0 && config.counters().connections() == 1);
    assertThat(config.counters().cancelled()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aClientThatDisconnectsMidChannelLeavesNothingBehind() {
    users.put(bytes("a"), bytes("1")).block(WAIT);
    RSocket raw = RawRSocket.connect(server.tcpAddress());
    Sinks.Many<Payload> keys = Sinks.many().unicast().onBackpressureBuffer();
    List<String> answers = new CopyOnWriteArrayList<>();
    raw.requestChannel(keys.asFlux())
        .subscribe(p -> answers.add(RawRSocket.text(p)), e -> { });
    keys.tryEmitNext(request("cache.getAll.users", bytes("a")));
    keys.tryEmitNext(payload(bytes("b"), null));
    keys.tryEmitNext(payload(bytes("a"), null));
    await("two answers", () -> answers.size() == 2);
    assertThat(config.counters().inFlight()).isEqualTo(1);
    raw.dispose();
    await("the server to cancel the channel", () -> config.counters().inFlight() == 0
        && config.counters().connections() == 1);
    assertThat(config.counters().cancelled()).isGreaterThanOrEqualTo(1);
    assertThat(answers).allSatisfy(a -> assertThat(a).endsWith("a1"));
  }

  @Test
  void aChannelReadsKeysOnlyAsFastAsItsAnswersAreConsumed() {
    for (int i = 0; i < 64; i++) {
      users.put(bytes("k" + i), bytes("v")).block(WAIT);
    }
    AtomicLong keysRequested = new AtomicLong();
    reactor.core.publisher.Flux<byte[]> keys = reactor.core.publisher.Flux.range(0, 100_000)
        .map(i -> bytes("k" + (i % 64)))
        .doOnRequest(n -> keysRequested.accumulateAndGet(n,
            (a, x) -> a + x < 0 ? Long.MAX_VALUE : a + x));
    StepVerifier.create(client.getAll(keys).limitRate(4), 8)
        .expectNextCount(8)
        .then(() -> assertThat(keysRequested.get()).as("keys the server asked for")
            .isLessThan(1_000))
        .thenCancel()
        .verify(WAIT);
    await("the channel to end", () -> config.counters().inFlight() == 0);
  }
}
