package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.testing.RawFrames.FLAG_METADATA;
import static io.tidecache.transport.rsocket.testing.RawFrames.LEASE;
import static io.tidecache.transport.rsocket.testing.RawFrames.REQUEST_RESPONSE;
import static io.tidecache.transport.rsocket.testing.RawFrames.frame;
import static io.tidecache.transport.rsocket.testing.RawFrames.key;
import static io.tidecache.transport.rsocket.testing.RawFrames.requestResponse;
import static io.tidecache.transport.rsocket.testing.RawFrames.requestStream;
import static io.tidecache.transport.rsocket.testing.RawFrames.setup;
import static io.tidecache.transport.rsocket.testing.RawFrames.tcp;
import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.ServerLimitsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.engine.Engine;
import io.tidecache.transport.rsocket.ServerCounters.Refusal;
import io.tidecache.transport.rsocket.testing.RawFrames.Frame;
import io.tidecache.transport.rsocket.testing.RawFrames;
import io.tidecache.transport.rsocket.testing.RawTcp;
import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Not thread-safe (JUnit's thread): frames that break the RSocket protocol, written by hand on a
 * plain socket. Each gets one ERROR frame on stream 0 that names what was wrong (CONNECTION_ERROR
 * with {@code MALFORMED_FRAME} or {@code PROTOCOL_ERROR}, INVALID_SETUP for a SETUP that cannot
 * be served), counted and told to the refusal listener, after which the server closes the
 * connection without a reset; nothing after the bad frame is served, and nothing is released
 * twice (paranoid leak detection, as for every class of this module).
 *
 * <p>Before the frame checks (commit d62e60a), rsocket-java read these frames itself: a 2-byte
 * frame between a SETUP and a request threw IndexOutOfBounds and then released a buffer twice
 * (IllegalReferenceCountException); short, empty and over-long-metadata frames closed the
 * connection with no ERROR frame; an even stream id and a LEASE frame got "Unexpected error
 * during frame handling" (an NPE in rsocket-java's lease tracker); a request on stream 0 was
 * answered on stream 0; a reused stream id was answered twice.
 */
class MalformedFrameTest {
  private static final int CONNECTION_ERROR = 0x101;
  private static final int INVALID_SETUP = 0x001;

  private static Engine engine;
  private static RSocketCacheServer config;
  private static RunningCacheServer server;
  private static final Queue<ConnectionRefusal> REFUSALS = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() {
    engine = Engine.builder().poolBytes(16L << 20).threads(1).build();
    ByteCache users = engine.createCache(CacheOptions.builder("users").maxKeyBytes(16)
        .maxValueBytes(16).shardBytes(1L << 20).build());
    for (int i = 0; i < 10; i++) {
      users.put(key("k" + i), key("v" + i)).block(WAIT);
    }
    config = RSocketCacheServer.builder().caches(engine::cache).tcp(0)
        .onRefusal(REFUSALS::add).build();
    server = config.start().block(WAIT);
  }

  @AfterAll
  static void stop() {
    server.dispose().block(WAIT);
    engine.close().block(WAIT);
  }

  /** SETUP, then {@code frames}, in one write; everything the server sends until it closes. */
  private static List<Frame> exchange(byte[]... frames) throws IOException {
    byte[][] all = new byte[frames.length + 1][];
    all[0] = setup();
    System.arraycopy(frames, 0, all, 1, frames.length);
    try (RawTcp raw = new RawTcp(server.tcpAddress())) {
      raw.send(tcp(all));
      return raw.readUntilClosed();
    }
  }

  /** The connection was refused with one ERROR frame on stream 0, then closed (no reset). */
  private static void assertRefused(List<Frame> frames, int code, String message,
      Refusal reason, long countedBefore) {
    assertThat(frames).as("what the server sent").doesNotContainNull().isNotEmpty();
    Frame last = frames.getLast();
    assertThat(last.type()).as("the last frame of %s", frames).isEqualTo(RawFrames.ERROR);
    assertThat(last.streamId()).isZero();
    assertThat(last.errorCode()).as("error code of %s", last).isEqualTo(code);
    assertThat(last.errorMessage()).startsWith(message).endsWith("; connection closed");
    assertThat(frames.subList(0, frames.size() - 1)).as("answers before the refusal")
        .allSatisfy(f -> assertThat(f.streamId()).isNotZero());
    assertThat(config.counters().refusals(reason)).isEqualTo(countedBefore + 1);
    await("the refusal to be told", () -> REFUSALS.stream()
        .anyMatch(r -> r.reason() == reason && r.message().equals(last.errorMessage())));
    ConnectionRefusal told = REFUSALS.stream()
        .filter(r -> r.message().equals(last.errorMessage())).findFirst().orElseThrow();
    assertThat(told.transport()).isEqualTo("tcp");
    assertThat(told.client().getAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  void aTwoByteFrameBetweenSetupAndARequestIsRefusedAndTheRequestIsNotServed()
      throws IOException {
    long before = config.counters().refusals(Refusal.MALFORMED_FRAME);
    List<Frame> frames = exchange(new byte[] {0, 1},
        requestResponse(1, "cache.get.users", key("k1")));
    assertRefused(frames, CONNECTION_ERROR, "MALFORMED_FRAME: a frame of 2 bytes is shorter than "
        + "the 6-byte frame header", Refusal.MALFORMED_FRAME, before);
    assertThat(frames).hasSize(1);
  }

  @Test
  void aFrameShorterThanItsHeaderAndAnEmptyFrameAreRefused() throws IOException {
    long before = config.counters().refusals(Refusal.MALFORMED_FRAME);
    assertRefused(exchange(new byte[] {0, 0, 0, 1, 0x10}), CONNECTION_ERROR,
        "MALFORMED_FRAME: a frame of 5 bytes is shorter", Refusal.MALFORMED_FRAME, before);
    assertRefused(exchange(new byte[0]), CONNECTION_ERROR,
        "MALFORMED_FRAME: a frame of 0 bytes is shorter", Refusal.MALFORMED_FRAME, before + 1);
  }

  @Test
  void metadataLengthPastTheEndIsRefused() throws IOException {
    long before = config.counters().refusals(Refusal.MALFORMED_FRAME);
    byte[] body = {0, 0, 100, 1, 2, 3, 4, 5}; // declares 100 bytes of metadata, holds 5
    assertRefused(exchange(frame(1, REQUEST_RESPONSE, FLAG_METADATA, body)), CONNECTION_ERROR,
        "MALFORMED_FRAME: a REQUEST_RESPONSE frame declares 100 bytes of metadata but holds 5",
        Refusal.MALFORMED_FRAME, before);
  }

  @Test
  void aRequestOnAnEvenStreamIdIsRefused() throws IOException {
    long before = config.counters().refusals(Refusal.PROTOCOL_ERROR);
    assertRefused(exchange(requestResponse(2, "cache.get.users", key("k1"))), CONNECTION_ERROR,
        "PROTOCOL_ERROR: a REQUEST_RESPONSE frame on even stream 2", Refusal.PROTOCOL_ERROR,
        before);
  }

  @Test
  void aLeaseFrameIsRefused() throws IOException {
    long before = config.counters().refusals(Refusal.PROTOCOL_ERROR);
    assertRefused(exchange(frame(0, LEASE, 0, new byte[8])), CONNECTION_ERROR,
        "PROTOCOL_ERROR: a LEASE frame, but this server offers no lease", Refusal.PROTOCOL_ERROR,
        before);
  }

  @Test
  void aRequestOnStreamZeroIsRefusedNotAnswered() throws IOException {
    long before = config.counters().refusals(Refusal.PROTOCOL_ERROR);
    List<Frame> frames = exchange(requestResponse(0, "cache.get.users", key("k1")));
    assertRefused(frames, CONNECTION_ERROR, "PROTOCOL_ERROR: a REQUEST_RESPONSE frame on stream "
        + "0", Refusal.PROTOCOL_ERROR, before);
    assertThat(frames).hasSize(1);
  }

  @Test
  void aSecondSetupIsRefused() throws IOException {
    long before = config.counters().refusals(Refusal.PROTOCOL_ERROR);
    assertRefused(exchange(setup()), CONNECTION_ERROR, "PROTOCOL_ERROR: a SETUP frame after the "
        + "connection was set up", Refusal.PROTOCOL_ERROR, before);
  }

  @Test
  void aSetupWithAZeroKeepaliveIsRefused() throws IOException {
    long before = config.counters().refusals(Refusal.INVALID_SETUP);
    try (RawTcp raw = new RawTcp(server.tcpAddress())) {
      raw.send(tcp(setup(0, 90_000)));
      assertRefused(raw.readUntilClosed(), INVALID_SETUP, "INVALID_SETUP: keepalive interval 0 ms",
          Refusal.INVALID_SETUP, before);
    }
  }

  @Test
  void aRequestThatReusesTheIdOfAnOpenStreamIsRefusedAndNotAnsweredTwice() throws IOException {
    long before = config.counters().refusals(Refusal.PROTOCOL_ERROR);
    try (RawTcp raw = new RawTcp(server.tcpAddress())) {
      // a scan asking for one entry of ten: it stays open on stream 1
      raw.send(tcp(setup(), requestStream(1, 1, "cache.scan.users", new byte[0])));
      Frame entry = raw.read();
      assertThat(entry.streamId()).isEqualTo(1);
      assertThat(entry.type()).isEqualTo(RawFrames.PAYLOAD);
      raw.send(tcp(requestResponse(1, "cache.get.users", key("k1"))));
      List<Frame> frames = raw.readUntilClosed();
      assertRefused(frames, CONNECTION_ERROR, "PROTOCOL_ERROR: a REQUEST_RESPONSE frame on "
          + "stream 1, which is still open", Refusal.PROTOCOL_ERROR, before);
      assertThat(frames).as("no answer to the second request on stream 1").hasSize(1);
    }
  }

  @Test
  void aStreamIdIsFreeAgainOnceItsStreamHasEnded() throws IOException {
    try (RawTcp raw = new RawTcp(server.tcpAddress())) {
      raw.send(tcp(setup(), requestResponse(1, "cache.get.users", key("k1"))));
      Frame first = raw.read();
      assertThat(first.streamId()).isEqualTo(1);
      assertThat(new String(first.body())).isEqualTo("v1");
      // Stream 1 has ended (NEXT|COMPLETE): its id may be used again (after a wrap-around).
      raw.send(tcp(requestResponse(1, "cache.get.users", key("k2"))));
      Frame second = raw.read();
      assertThat(second.streamId()).isEqualTo(1);
      assertThat(new String(second.body())).isEqualTo("v2");
      // A cancelled scan frees its id too.
      raw.send(tcp(requestStream(3, 1, "cache.scan.users", new byte[0])));
      assertThat(raw.read().streamId()).isEqualTo(3);
      raw.send(tcp(RawFrames.cancel(3), requestResponse(3, "cache.get.users", key("k3"))));
      Frame third = raw.read();
      assertThat(third.streamId()).isEqualTo(3);
      assertThat(new String(third.body())).isEqualTo("v3");
    }
  }
}
