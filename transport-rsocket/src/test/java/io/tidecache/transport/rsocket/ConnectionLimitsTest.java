package io.tidecache.transport.rsocket;

import static io.tidecache.transport.rsocket.testing.RawFrames.key;
import static io.tidecache.transport.rsocket.testing.RawFrames.requestResponse;
import static io.tidecache.transport.rsocket.testing.RawFrames.setup;
import static io.tidecache.transport.rsocket.testing.RawFrames.tcp;
import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.ServerLimitsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.transport.rsocket.ServerCounters.Refusal;
import io.tidecache.transport.rsocket.testing.HeldCache;
import io.tidecache.transport.rsocket.testing.RawFrames.Frame;
import io.tidecache.transport.rsocket.testing.RawFrames;
import io.tidecache.transport.rsocket.testing.RawTcp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Not thread-safe (JUnit's thread): connections that hold the server without using it. A
 * connection that sends no SETUP within the setup timeout gets CONNECTION_ERROR
 * {@code SETUP_TIMEOUT} and is closed, and so does one that sends half a SETUP; an HTTP
 * connection that sends no request is closed after the same time; past the total or the
 * per-address connection limit a new connection gets REJECTED_SETUP
 * {@code TOO_MANY_CONNECTIONS} and is closed. Each is counted and told to the refusal listener.
 *
 * <p>Before (commit d62e60a): no setup timeout of the server's own (rsocket-java's one minute
 * wait for a first frame, with no ERROR frame), no connection limit, and an HTTP connection was
 * held as long as it stayed silent; the issue held 2,000 such connections open.
 */
class ConnectionLimitsTest {
  private static final Duration SETUP_TIMEOUT = Duration.ofMillis(300);
  private final Queue<ConnectionRefusal> refusals = new ConcurrentLinkedQueue<>();

  private RSocketCacheServer.Builder server() {
    return RSocketCacheServer.builder().caches(Map.of("held", new HeldCache())).tcp(0)
        .setupTimeout(SETUP_TIMEOUT).onRefusal(refusals::add);
  }

  private static void assertClosedWith(RawTcp raw, int code, String message) throws IOException {
    List<Frame> frames = raw.readUntilClosed();
    assertThat(frames).as("what the server sent before it closed").hasSize(1)
        .doesNotContainNull();
    Frame f = frames.getFirst();
    assertThat(f.type()).isEqualTo(RawFrames.ERROR);
    assertThat(f.streamId()).isZero();
    assertThat(f.errorCode()).as("error code of %s", f).isEqualTo(code);
    assertThat(f.errorMessage()).startsWith(message);
  }

  @Test
  void connectionsThatSendNoSetupAreClosedAfterTheSetupTimeout() throws IOException {
    RSocketCacheServer config = server().build();
    RunningCacheServer running = config.start().block(WAIT);
    List<RawTcp> silent = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        silent.add(new RawTcp(running.tcpAddress()));
      }
      RawTcp half = new RawTcp(running.tcpAddress());
      byte[] setup = tcp(setup());
      half.send(java.util.Arrays.copyOf(setup, setup.length / 2)); // half a SETUP, then nothing
      silent.add(half);
      for (RawTcp raw : silent) {
        assertClosedWith(raw, 0x101, "SETUP_TIMEOUT: no SETUP frame within 300 ms of connecting");
      }
      assertThat(config.counters().refusals(Refusal.SETUP_TIMEOUT)).isEqualTo(21);
      await("the connections to be gone", () -> running.openConnections() == 0
          && config.counters().awaitingSetup() == 0);
      assertThat(refusals).hasSize(21)
          .allSatisfy(r -> assertThat(r.reason()).isEqualTo(Refusal.SETUP_TIMEOUT));
      // A connection that sends its SETUP in time is served past the timeout.
      try (RawTcp good = new RawTcp(running.tcpAddress())) {
        good.send(tcp(setup()));
        await("the SETUP to be accepted", () -> config.counters().connections() == 1);
        assertThat(config.counters().awaitingSetup()).isZero();
        good.send(tcp(requestResponse(1, "cache.put.held", new byte[] {0, 1, 'k', 0, 0, 0, 0,
            0, 0, 0, 0})));
        assertThat(good.read().streamId()).isEqualTo(1);
      }
    } finally {
      for (RawTcp raw : silent) {
        raw.close();
      }
      running.dispose().block(WAIT);
    }
  }

  @Test
  void pastTheTotalLimitANewConnectionIsRefused() throws IOException {
    RSocketCacheServer config = server().maxConnections(3).build();
    RunningCacheServer running = config.start().block(WAIT);
    List<RawTcp> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RawTcp raw = new RawTcp(running.tcpAddress()).send(tcp(setup()));
        open.add(raw);
      }
      await("three connections set up", () -> config.counters().connections() == 3);
      try (RawTcp fourth = new RawTcp(running.tcpAddress())) {
        fourth.send(tcp(setup(), requestResponse(1, "cache.get.held", key("k"))));
        assertClosedWith(fourth, 0x003, "TOO_MANY_CONNECTIONS: 3 connections are open (the "
            + "server's limit); connection closed");
      }
      assertThat(config.counters().refusals(Refusal.TOO_MANY_CONNECTIONS)).isEqualTo(1);
      assertThat(refusals).singleElement().satisfies(r -> {
        assertThat(r.reason()).isEqualTo(Refusal.TOO_MANY_CONNECTIONS);
        assertThat(r.client().getAddress().isLoopbackAddress()).isTrue();
      });
      open.removeFirst().close();
      await("a place to be free", () -> running.openConnections() == 2);
      RawTcp again = new RawTcp(running.tcpAddress()).send(tcp(setup()));
      open.add(again);
      await("the new connection set up", () -> config.counters().connections() == 3);
    } finally {
      for (RawTcp raw : open) {
        raw.close();
      }
      running.dispose().block(WAIT);
    }
  }

  @Test
  void pastThePerAddressLimitANewConnectionFromThatAddressIsRefused() throws IOException {
    RSocketCacheServer config = server().maxConnectionsPerAddress(2).build();
    RunningCacheServer running = config.start().block(WAIT);
    List<RawTcp> open = new ArrayList<>();
    try {
      open.add(new RawTcp(running.tcpAddress()).send(tcp(setup())));
      open.add(new RawTcp(running.tcpAddress()).send(tcp(setup())));
      await("two connections set up", () -> config.counters().connections() == 2);
      try (RawTcp third = new RawTcp(running.tcpAddress())) {
        assertClosedWith(third, 0x003, "TOO_MANY_CONNECTIONS: 2 connections from 127.0.0.1 are "
            + "open (the limit per client address)");
      }
      assertThat(config.counters().refusals(Refusal.TOO_MANY_CONNECTIONS)).isEqualTo(1);
    } finally {
      for (RawTcp raw : open) {
        raw.close();
      }
      running.dispose().block(WAIT);
    }
  }

  @Test
  void anHttpConnectionThatSendsNoRequestIsClosedAfterTheSetupTimeout() throws IOException {
    RunningCacheServer running = server().webSocket(0, "/rsocket").build().start().block(WAIT);
    InetSocketAddress http = running.webSocketAddress();
    try (Socket silent = new Socket()) {
      silent.connect(http, (int) WAIT.toMillis());
      silent.setSoTimeout((int) WAIT.toMillis());
      InputStream in = silent.getInputStream();
      byte[] all = in.readAllBytes(); // until the server closes; a read timeout fails the test
      assertThat(new String(all, StandardCharsets.US_ASCII)).isEmpty();
    } finally {
      running.dispose().block(WAIT);
    }
  }
}
