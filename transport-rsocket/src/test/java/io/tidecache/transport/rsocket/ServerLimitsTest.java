package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.RawRSocket.bytes;
import static io.tidecache.transport.rsocket.RawRSocket.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rsocket.RSocket;
import io.rsocket.exceptions.CanceledException;
import io.rsocket.exceptions.ConnectionErrorException;
import io.rsocket.exceptions.RejectedException;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.engine.Engine;
import io.tidecache.transport.rsocket.ServerCounters.Refusal;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): the server's limits: requests in flight per connection
 * (REJECTED, counted), the largest reassembled payload and the largest frame (refused, nothing
 * stored), and SETUPs it does not serve (REJECTED_SETUP, nothing served).
 */
class ServerLimitsTest {
  private static Engine engine;
  private static ByteCache users;
  private static final Sinks.Many<CacheEvent> EVENTS = Sinks.many().multicast().directBestEffort();

  @BeforeAll
  static void start() {
    engine = Engine.builder().poolBytes(16L << 20).threads(1).build();
    users = engine.createCache(CacheOptions.builder("users").maxKeyBytes(64)
        .maxValueBytes(16 << 10).shardBytes(4L << 20).build());
  }

  @AfterAll
  static void stop() {
    engine.close().block(WAIT);
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  private static byte[] put(String key, byte[] value) {
    byte[] k = bytes(key);
    return ByteBuffer.allocate(2 + k.length + 8 + value.length).putShort((short) k.length)
        .put(k).putLong(0).put(value).array();
  }

  @Test
  void requestsPastTheInFlightLimitAreRejected() {
    RSocketCacheServer config = RSocketCacheServer.builder().caches(engine::cache)
        .events(EVENTS.asFlux()).maxInFlightPerConnection(1).tcp(0).build();
    RunningCacheServer server = config.start().block(WAIT);
    RSocket raw = RawRSocket.connect(server.tcpAddress());
    try {
      Disposable stream = raw.requestStream(request("events", new byte[0]))
          .subscribe(p -> p.release());
      await("the stream in flight", () -> config.counters().inFlight() == 1);
      StepVerifier.create(raw.requestResponse(request("cache.get.users", bytes("k"))))
          .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(RejectedException.class)
              .hasMessage("OVERLOADED: requests in flight on this connection is full (limit 1);"
                  + " request refused, nothing changed"));
      assertThat(config.counters().refusals(Refusal.IN_FLIGHT)).isEqualTo(1);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      config.counters().bindTo(registry);
      assertThat(registry.get(ServerCounters.REFUSALS).tag("reason", "in_flight")
          .functionCounter().count()).isEqualTo(1.0);
      assertThat(registry.get(ServerCounters.IN_FLIGHT).gauge().value()).isEqualTo(1.0);
      // the typed client reads REJECTED as Overloaded
      assertThat(WireErrors.toTyped(new RejectedException("OVERLOADED: requests in flight on "
          + "this connection is full (limit 1); request refused, nothing changed"), "users", "x"))
          .isInstanceOf(io.tidecache.api.Overloaded.class)
          .hasMessageContaining("(limit 1)");
      stream.dispose();
      await("the stream cancelled", () -> config.counters().inFlight() == 0);
      StepVerifier.create(raw.requestResponse(request("cache.get.users", bytes("k"))))
          .verifyComplete();
    } finally {
      raw.dispose();
      server.dispose().block(WAIT);
    }
  }

  @Test
  void aPayloadOverTheLimitIsRefusedAndAFrameOverTheLimitClosesTheConnection() {
    RSocketCacheServer config = RSocketCacheServer.builder().caches(engine::cache)
        .maxFrameSize(1024).maxPayloadSize(2048).tcp(0).build();
    RunningCacheServer server = config.start().block(WAIT);
    RSocket fragmenting = RawRSocket.connect(server.tcpAddress(),
        WireFormat.COMPOSITE_METADATA, null, 256);
    RSocket whole = RawRSocket.connect(server.tcpAddress(), WireFormat.COMPOSITE_METADATA, null,
        0);
    try {
      // 4 KiB in 256-byte fragments: reassembly passes 2048 bytes and the request is refused
      StepVerifier.create(fragmenting.requestResponse(request("cache.put.users",
          put("big", new byte[4096])))).verifyErrorSatisfies(e -> assertThat(e)
              .isInstanceOf(CanceledException.class)
              .hasMessageContaining("went out of allowed 2048 bytes"));
      // 1 KiB in one fragment chain is fine
      StepVerifier.create(fragmenting.requestResponse(request("cache.put.users",
          put("ok", new byte[1500])))).verifyComplete();
      // an unfragmented frame over 1024 bytes: the frame decoder closes the connection
      StepVerifier.create(whole.requestResponse(request("cache.put.users",
          put("frame", new byte[1500])))).verifyErrorSatisfies(e -> assertThat(e)
              .isInstanceOf(ConnectionErrorException.class)
              .hasMessageStartingWith("FRAME_TOO_LARGE: a frame of more than 1024 bytes"));
      assertThat(config.counters().refusals(Refusal.FRAME_TOO_LARGE)).isEqualTo(1);
      whole.onClose().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(WAIT);
      assertThat(users.get(bytes("big")).block(WAIT)).isNull();
      assertThat(users.get(bytes("frame")).block(WAIT)).isNull();
      assertThat(users.get(bytes("ok")).block(WAIT)).hasSize(1500);
    } finally {
      fragmenting.dispose();
      whole.dispose();
      server.dispose().block(WAIT);
    }
  }

  @Test
  void aSetupWithAnotherMetadataMimeTypeIsRejectedAndNothingIsServed() {
    RSocketCacheServer config = RSocketCacheServer.builder().caches(engine::cache).tcp(0).build();
    RunningCacheServer server = config.start().block(WAIT);
    RSocket json = RawRSocket.connect(server.tcpAddress(), "application/json", null, 0);
    try {
      StepVerifier.create(json.requestResponse(RawRSocket.payload(put("json", bytes("v")),
          RawRSocket.bareRoute("cache.put.users")))).expectError().verify(WAIT);
      json.onClose().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(WAIT);
      StepVerifier.create(json.requestResponse(request("cache.get.users", bytes("json"))))
          .expectError().verify(WAIT);
      assertThat(config.counters().refusals(Refusal.UNSUPPORTED_SETUP)).isEqualTo(1);
      assertThat(config.counters().connections()).isZero();
      assertThat(users.get(bytes("json")).block(WAIT)).isNull();
    } finally {
      json.dispose();
      server.dispose().block(WAIT);
    }
  }
}
