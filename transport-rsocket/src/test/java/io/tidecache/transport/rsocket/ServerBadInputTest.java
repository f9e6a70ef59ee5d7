package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.RawRSocket.bytes;
import static io.tidecache.transport.rsocket.RawRSocket.payload;
import static io.tidecache.transport.rsocket.RawRSocket.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.engine.Engine;
import io.tidecache.transport.rsocket.ServerCounters.Refusal;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): every bad request to {@link RSocketCacheServer}, sent by a
 * plain rsocket-java client, gets a clear RSocket error whose message starts with its code, is
 * counted, and changes nothing in the cache behind the server.
 */
class ServerBadInputTest {
  private static Engine engine;
  private static ByteCache users;
  private static RSocketCacheServer config;
  private static RunningCacheServer server;
  private RSocket raw;

  @BeforeAll
  static void start() {
    engine = Engine.builder().poolBytes(16L << 20).threads(1).build();
    users = engine.createCache(CacheOptions.builder("users").maxKeyBytes(64).maxValueBytes(256)
        .shardBytes(1L << 20).build());
    config = RSocketCacheServer.builder().caches(engine::cache).tcp(0).build();
    server = config.start().block(WAIT);
  }

  @AfterAll
  static void stop() {
    server.dispose().block(WAIT);
    engine.close().block(WAIT);
  }

  @BeforeEach
  void connect() {
    raw = RawRSocket.connect(server.tcpAddress());
    users.put(bytes("sentinel"), bytes("kept")).block(WAIT);
  }

  @AfterEach
  void disconnect() {
    raw.dispose();
    raw.onClose().block(WAIT);
  }

  /**
   * The cache still holds the sentinel and nothing else. Stats are published by the shard's
   * writer after each batch, so the entry count is polled briefly (with a deadline) before the
   * assertion.
   */
  private static void assertNothingChanged() {
    assertThat(users.get(bytes("sentinel")).block(WAIT)).isEqualTo(bytes("kept"));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (users.stats().block(WAIT).entries() != 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(users.stats().block(WAIT).entries()).isEqualTo(1);
  }

  private static void assertAppError(Mono<?> call, String prefix) {
    StepVerifier.create(call).verifyErrorSatisfies(e -> assertThat(e)
        .isInstanceOf(ApplicationErrorException.class)
        .hasMessageStartingWith(prefix + ": "));
  }

  private static void assertAppError(Flux<?> call, String prefix) {
    StepVerifier.create(call).verifyErrorSatisfies(e -> assertThat(e)
        .isInstanceOf(ApplicationErrorException.class)
        .hasMessageStartingWith(prefix + ": "));
  }

  private static byte[] put(String key, long ttl, byte[] value) {
    byte[] k = bytes(key);
    return ByteBuffer.allocate(2 + k.length + 8 + value.length).putShort((short) k.length)
        .put(k).putLong(ttl).put(value).array();
  }

  @Test
  void anUnknownRouteIsRefused() {
    long before = config.counters().refusals(Refusal.UNKNOWN_ROUTE);
    assertAppError(raw.requestResponse(request("cache.frobnicate.users", bytes("k"))),
        "UNKNOWN_ROUTE");
    assertThat(config.counters().refusals(Refusal.UNKNOWN_ROUTE)).isEqualTo(before + 1);
    assertNothingChanged();
  }

  @Test
  void aRouteOnTheWrongInteractionIsRefused() {
    assertAppError(raw.requestStream(request("cache.get.users", bytes("k"))), "UNKNOWN_ROUTE");
    assertAppError(raw.requestResponse(request("events", new byte[0])), "UNKNOWN_ROUTE");
    assertAppError(raw.requestChannel(Flux.just(request("cache.put.users",
        put("k", -1, bytes("v"))))), "UNKNOWN_ROUTE");
    // events exists as a route, but this server has no event source
    assertAppError(raw.requestStream(request("events", new byte[0])), "UNKNOWN_ROUTE");
    assertNothingChanged();
  }

  @Test
  void missingOrMalformedMetadataIsRefused() {
    long before = config.counters().refusals(Refusal.BAD_METADATA);
    assertAppError(raw.requestResponse(payload(put("k", -1, bytes("v")), null)), "BAD_METADATA");
    // an entry that declares 32 bytes of content but holds 2
    assertAppError(raw.requestResponse(payload(bytes("k"),
        new byte[] {(byte) 0xFE, 0, 0, 32, 3, 'a'})), "BAD_METADATA");
    // a routing entry whose tag declares 16 bytes but holds 1
    assertAppError(raw.requestResponse(payload(bytes("k"),
        new byte[] {(byte) 0xFE, 0, 0, 2, 16, 'a'})), "BAD_METADATA");
    // a custom MIME type whose name runs past the end
    assertAppError(raw.requestResponse(payload(bytes("k"), new byte[] {0x20, 'x'})),
        "BAD_METADATA");
    assertAppError(raw.requestResponse(payload(bytes("k"), customEntryOnly())), "BAD_METADATA");
    assertThat(config.counters().refusals(Refusal.BAD_METADATA)).isEqualTo(before + 5);
    assertNothingChanged();
  }

  private static byte[] customEntryOnly() {
    CompositeByteBuf composite = ByteBufAllocator.DEFAULT.compositeBuffer();
    ByteBuf content = Unpooled.wrappedBuffer(bytes("cache.get.users"));
    CompositeMetadataCodec.encodeAndAddMetadata(composite, ByteBufAllocator.DEFAULT,
        "application/x.custom", content);
    try {
      byte[] out = new byte[composite.readableBytes()];
      composite.readBytes(out);
      return out;
    } finally {
      composite.release();
    }
  }

  @Test
  void anUnknownCacheIsRefused() {
    long before = config.counters().refusals(Refusal.UNKNOWN_CACHE);
    assertAppError(raw.requestResponse(request("cache.put.nope", put("k", -1, bytes("v")))),
        "UNKNOWN_CACHE");
    assertAppError(raw.requestResponse(request("cache.put", put("k", -1, bytes("v")))),
        "UNKNOWN_CACHE");
    assertAppError(raw.requestStream(request("stats.nope", new byte[0])), "UNKNOWN_CACHE");
    assertThat(config.counters().refusals(Refusal.UNKNOWN_CACHE)).isEqualTo(before + 3);
    assertNothingChanged();
  }

  @Test
  void routesWithoutACacheNameUseTheDefaultCache() {
    RunningCacheServer withDefault = RSocketCacheServer.builder().caches(engine::cache)
        .defaultCache("users").tcp(0).build().start().block(WAIT);
    RSocket other = RawRSocket.connect(withDefault.tcpAddress());
    try {
      StepVerifier.create(other.requestResponse(request("cache.put", put("d", 0, bytes("dv")))))
          .verifyComplete();
      assertThat(users.get(bytes("d")).block(WAIT)).isEqualTo(bytes("dv"));
      StepVerifier.create(other.requestResponse(request("cache.remove", bytes("d")))
          .map(RawRSocket::text)).expectNext("\u0001").verifyComplete();
    } finally {
      other.dispose();
      withDefault.dispose().block(WAIT);
    }
    assertNothingChanged();
  }

  @Test
  void aKeyOverItsStrideIsRefusedWithTheEngineCodeAndMessage() {
    byte[] key = new byte[65];
    Arrays.fill(key, (byte) 'k');
    StepVerifier.create(raw.requestResponse(request("cache.get.users", key)))
        .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(ApplicationErrorException.class)
            .hasMessage("KEY_TOO_LARGE: key of 65 bytes exceeds the key stride of 64 bytes of "
                + "cache 'users'"));
    assertAppError(raw.requestResponse(request("cache.put.users",
        put(new String(key), 0, bytes("v")))), "KEY_TOO_LARGE");
    assertAppError(raw.requestResponse(request("cache.remove.users", key)), "KEY_TOO_LARGE");
    assertNothingChanged();
  }

  @Test
  void aValueOverItsStrideIsRefusedAndTheOldValueStays() {
    assertAppError(raw.requestResponse(request("cache.put.users",
        put("sentinel", 0, new byte[257]))), "VALUE_TOO_LARGE");
    assertNothingChanged();
  }

  @Test
  void aTtlOutOfRangeIsRefused() {
    assertAppError(raw.requestResponse(request("cache.put.users", put("t", -5, bytes("v")))),
        "INVALID_REQUEST");
    assertAppError(raw.requestResponse(request("cache.put.users",
        put("t", Long.MAX_VALUE, bytes("v")))), "INVALID_REQUEST");
    assertNothingChanged();
  }

  @Test
  void payloadsWithoutDataOrWithTooLittleAreRefused() {
    long before = config.counters().refusals(Refusal.BAD_PAYLOAD);
    assertAppError(raw.requestResponse(request("cache.get.users", new byte[0])),
        "INVALID_REQUEST"); // an empty key
    assertAppError(raw.requestResponse(request("cache.put.users", new byte[0])), "BAD_PAYLOAD");
    byte[] shortPut = ByteBuffer.allocate(12).putShort((short) 100).array();
    assertAppError(raw.requestResponse(request("cache.put.users", shortPut)), "BAD_PAYLOAD");
    assertAppError(raw.requestStream(request("stats.users", new byte[3])), "BAD_PAYLOAD");
    assertAppError(raw.requestStream(request("stats.users", new byte[4])), "BAD_PAYLOAD");
    assertThat(config.counters().refusals(Refusal.BAD_PAYLOAD)).isEqualTo(before + 4);
    assertNothingChanged();
  }

  @Test
  void aMalformedPutAllElementStopsTheChannel() {
    Flux<Payload> elements = Flux.just(
        request("cache.putAll.users", entry("sentinel", "kept")),
        payload(new byte[] {0}, null),
        payload(entry("never", "stored"), null));
    assertAppError(raw.requestChannel(elements), "BAD_PAYLOAD");
    assertNothingChanged();
  }

  private static byte[] entry(String key, String value) {
    byte[] k = bytes(key);
    byte[] v = bytes(value);
    return ByteBuffer.allocate(2 + k.length + v.length).putShort((short) k.length).put(k).put(v)
        .array();
  }

  @Test
  void fireAndForgetIsNotServed() {
    long before = config.counters().refusals(Refusal.UNKNOWN_ROUTE);
    raw.fireAndForget(request("cache.put.users", put("fnf", 0, bytes("v")))).block(WAIT);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (config.counters().refusals(Refusal.UNKNOWN_ROUTE) == before) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.onSpinWait();
    }
    assertNothingChanged();
  }

  @Test
  void aConnectionWithBareRoutingMetadataIsServed() {
    RSocket bare = RawRSocket.connect(server.tcpAddress(), WireFormat.ROUTING, null, 0);
    try {
      StepVerifier.create(bare.requestResponse(payload(put("bare", 0, bytes("b")),
          RawRSocket.bareRoute("cache.put.users")))).verifyComplete();
      StepVerifier.create(bare.requestResponse(payload(bytes("bare"),
          RawRSocket.bareRoute("cache.get.users"))).map(RawRSocket::text))
          .expectNext("b").verifyComplete();
      StepVerifier.create(bare.requestResponse(payload(bytes("bare"),
          RawRSocket.bareRoute("cache.remove.users"))).map(RawRSocket::text))
          .expectNext("\u0001").verifyComplete();
    } finally {
      bare.dispose();
    }
    assertNothingChanged();
  }
}
