package io.tidecache.transport.rsocket;

import io.tidecache.transport.rsocket.testing.HeldCache;
import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.RawRSocket.bytes;
import static io.tidecache.transport.rsocket.ServerLimitsTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): the server's start and stop. A start whose second listener
 * cannot bind closes the first again and says which transport, which address and why; and
 * {@link RunningCacheServer#stopAccepting()} closes the listening ports while the connections
 * already open keep being served, a request held in flight included, until dispose.
 */
class ServerLifecycleTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  /** A port nothing listens on right now (bound, read, closed). */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
      return s.getLocalPort();
    }
  }

  /** Whether a new TCP connection to {@code port} is refused. */
  private static boolean refused(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(LOOPBACK, port), (int) WAIT.toMillis());
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      throw new AssertionError("connecting to port " + port, e);
    }
  }

  @Test
  void aWebSocketPortInUseFailsTheStartAndTheTcpPortIsFreeAgain() throws IOException {
    int tcpPort = freePort();
    try (ServerSocket busy = new ServerSocket(0, 1, LOOPBACK)) {
      int wsPort = busy.getLocalPort();
      RSocketCacheServer config = RSocketCacheServer.builder()
          .caches(Map.of("held", new HeldCache())).tcp(tcpPort).webSocket(wsPort, "/rsocket")
          .build();
      StepVerifier.create(config.start())
          .expectErrorSatisfies(e -> {
            assertThat(e).isInstanceOf(ListenerBindException.class)
                .hasMessageStartingWith("cannot listen for RSocket over WebSocket on 127.0.0.1:"
                    + wsPort + ": ")
                .hasMessageContaining("Address already in use")
                .hasMessageEndingWith("; nothing is left listening");
            ListenerBindException b = (ListenerBindException) e;
            assertThat(b.transport()).isEqualTo("WebSocket");
            assertThat(b.host()).isEqualTo("127.0.0.1");
            assertThat(b.port()).isEqualTo(wsPort);
          })
          .verify(WAIT);
    }
    // The TCP listener had bound before the WebSocket one failed: its port is free again.
    try (ServerSocket again = new ServerSocket(tcpPort, 1, LOOPBACK)) {
      assertThat(again.getLocalPort()).isEqualTo(tcpPort);
    }
  }

  @Test
  void aTcpPortInUseFailsTheStartNamingTcp() throws IOException {
    try (ServerSocket busy = new ServerSocket(0, 1, LOOPBACK)) {
      RSocketCacheServer config = RSocketCacheServer.builder()
          .caches(Map.of("held", new HeldCache())).tcp(busy.getLocalPort())
          .webSocket(0, "/rsocket").build();
      StepVerifier.create(config.start())
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ListenerBindException.class)
              .hasMessageStartingWith("cannot listen for RSocket over TCP on 127.0.0.1:"
                  + busy.getLocalPort() + ": "))
          .verify(WAIT);
    }
  }

  @Test
  void stopAcceptingRefusesNewConnectionsWhileAnOpenOneFinishesItsRequest()
      throws InterruptedException {
    HeldCache held = new HeldCache();
    RSocketCacheServer config = RSocketCacheServer.builder().caches(Map.of("held", held))
        .tcp(0).webSocket(0, "/rsocket").build();
    RunningCacheServer server = config.start().block(WAIT);
    int tcpPort = server.tcpAddress().getPort();
    int wsPort = server.webSocketAddress().getPort();
    RSocketCacheClient client = RSocketCacheClient.builder("held").tcp("127.0.0.1", tcpPort)
        .connect().block(WAIT);
    try {
      StepVerifier inFlight = StepVerifier.create(client.get(bytes("k")))
          .expectNextMatches(v -> Arrays.equals(v, bytes("held value")))
          .expectComplete()
          .verifyLater();
      assertThat(held.getSubscribed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("the get reached the cache").isTrue();

      server.stopAccepting().block(WAIT);
      assertThat(refused(tcpPort)).as("a new TCP connection is refused").isTrue();
      assertThat(refused(wsPort)).as("a new WebSocket (HTTP) connection is refused").isTrue();
      server.stopAccepting().block(WAIT); // idempotent

      // The established connection still serves: a new request on it, and the one held.
      assertThat(client.connected()).isTrue();
      StepVerifier.create(client.stats()).assertNext(s -> assertThat(s.cache())
          .isEqualTo("held")).verifyComplete();
      assertThat(config.counters().inFlight()).isEqualTo(1);
      held.answer(bytes("held value"));
      inFlight.verify(WAIT);
      await("the request to leave the in-flight count", () -> config.counters().inFlight() == 0);
    } finally {
      server.dispose().block(WAIT);
    }
    await("the client to see its connection closed", () -> !client.connected());
    client.close().block(WAIT);
    assertThat(refused(tcpPort)).isTrue();
  }

  @Test
  void disposeAfterStopAcceptingClosesTheOpenConnections() {
    RSocketCacheServer config = RSocketCacheServer.builder()
        .caches(Map.of("held", new HeldCache())).tcp(0).build();
    RunningCacheServer server = config.start().block(WAIT);
    RSocketCacheClient client = RSocketCacheClient.builder("held")
        .tcp("127.0.0.1", server.tcpAddress().getPort()).connect().block(WAIT);
    try {
      server.stopAccepting().block(WAIT);
      assertThat(client.stats().block(WAIT).cache()).isEqualTo("held");
      server.dispose().block(WAIT);
      await("the client to see its connection closed", () -> !client.connected());
      assertThatThrownBy(() -> client.stats().block(WAIT))
          .isInstanceOf(io.tidecache.api.Disconnected.class);
    } finally {
      client.close().block(WAIT);
    }
  }
}
