package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.RawRSocket.bytes;
import static io.tidecache.transport.rsocket.RawRSocket.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.rsocket.RSocket;
import io.rsocket.exceptions.RejectedSetupException;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.Disconnected;
import io.tidecache.engine.Engine;
import io.tidecache.transport.rsocket.ServerCounters.Refusal;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): tokens in the SETUP's authentication metadata. A right token
 * (bearer, or the password of simple auth) is served; a wrong or missing one gets REJECTED_SETUP,
 * the connection is closed, every later request on it fails, and nothing reaches the cache.
 */
class AuthTest {
  private static Engine engine;
  private static ByteCache users;
  private static RSocketCacheServer config;
  private static RunningCacheServer server;

  @BeforeAll
  static void start() {
    engine = Engine.builder().poolBytes(8L << 20).threads(1).build();
    users = engine.createCache(CacheOptions.builder("users").shardBytes(1L << 20).build());
    config = RSocketCacheServer.builder().caches(engine::cache).token("alice-s3cret")
        .token("bob-t0ken").tcp(0).build();
    server = config.start().block(WAIT);
  }

  @AfterAll
  static void stop() {
    server.dispose().block(WAIT);
    engine.close().block(WAIT);
  }

  private static byte[] put(String key) {
    byte[] k = bytes(key);
    return ByteBuffer.allocate(2 + k.length + 8 + 1).putShort((short) k.length).put(k)
        .putLong(0).put((byte) 'v').array();
  }

  private static InetSocketAddress address() {
    return server.tcpAddress();
  }

  @Test
  void aBearerTokenOrASimplePasswordThatMatchesIsServed() {
    for (byte[] setup : new byte[][] {RawRSocket.bearer("alice-s3cret"),
        RawRSocket.simple("bob", "bob-t0ken")}) {
      RSocket rs = RawRSocket.connect(address(), WireFormat.COMPOSITE_METADATA, setup, 0);
      try {
        StepVerifier.create(rs.requestResponse(request("cache.put.users", put("ok"))))
            .verifyComplete();
      } finally {
        rs.dispose();
      }
    }
    assertThat(users.get(bytes("ok")).block(WAIT)).isEqualTo(bytes("v"));
  }

  @Test
  void aWrongOrMissingTokenIsRejectedAtSetupAndNothingIsServed() {
    long before = config.counters().refusals(Refusal.UNAUTHORIZED);
    byte[][] setups = {RawRSocket.bearer("mallory"), null,
        RawRSocket.simple("alice", "wrong"), RawRSocket.compositeRoute("cache.get.users")};
    for (byte[] setup : setups) {
      RSocket rs = RawRSocket.connect(address(), WireFormat.COMPOSITE_METADATA, setup, 0);
      try {
        StepVerifier.create(rs.requestResponse(request("cache.put.users", put("bad"))))
            .expectError().verify(WAIT);
        rs.onClose().onErrorResume(e -> Mono.empty()).block(WAIT);
        // a request after the rejected setup fails too
        StepVerifier.create(rs.requestResponse(request("cache.put.users", put("bad"))))
            .expectError().verify(WAIT);
      } finally {
        rs.dispose();
      }
    }
    assertThat(config.counters().refusals(Refusal.UNAUTHORIZED)).isEqualTo(before + 4);
    assertThat(users.get(bytes("bad")).block(WAIT)).isNull();
  }

  @Test
  void theRejectionCarriesTheReason() {
    RSocket rs = RawRSocket.connect(address(), WireFormat.COMPOSITE_METADATA,
        RawRSocket.bearer("mallory"), 0);
    try {
      Throwable closed = rs.onClose().then(Mono.<Throwable>empty())
          .onErrorResume(Mono::just).block(WAIT);
      assertThat(closed).isInstanceOf(RejectedSetupException.class)
          .hasMessageStartingWith("UNAUTHORIZED: the token is not accepted");
    } finally {
      rs.dispose();
    }
  }

  @Test
  void theClientSendsItsTokenAndFailsWithDisconnectedWhenItIsWrong() {
    RSocketCacheClient good = RSocketCacheClient.builder("users")
        .tcp(address().getHostString(), address().getPort()).token("bob-t0ken")
        .connect().block(WAIT);
    RSocketCacheClient bad = RSocketCacheClient.builder("users")
        .tcp(address().getHostString(), address().getPort()).token("mallory")
        .reconnectBackoff(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5))
        .connect().block(WAIT);
    try {
      good.put(bytes("client"), bytes("ok")).block(WAIT);
      assertThat(users.get(bytes("client")).block(WAIT)).isEqualTo(bytes("ok"));
      StepVerifier.create(bad.put(bytes("mallory"), bytes("x")))
          .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(Disconnected.class));
      assertThat(users.get(bytes("mallory")).block(WAIT)).isNull();
    } finally {
      good.close().block(WAIT);
      bad.close().block(WAIT);
    }
  }
}
