package io.tidecache.server;

import static io.tidecache.server.ServerEndToEndTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidecache.api.CacheClosed;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): the order of a graceful stop, with a request held in flight
 * (a {@code getAll} channel whose keys the test sends one at a time): once {@code stop} has begun,
 * the listening ports refuse new connections and new requests are refused, while the held
 * channel keeps being answered on its open connection; the stop completes only after the channel
 * ends, drained, with every lease released. Also: a start whose WebSocket port is taken fails,
 * naming it, with nothing left listening.
 */
class GracefulStopTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static ServerConfig config(String tcpPort, String httpPort) {
    return ServerConfig.conclude(ConfigSource.of(ConfigSource.values(Map.of(
        "tcp.port", tcpPort, "http.port", httpPort, "pool.size", "8m", "engine.threads", "1",
        "caches", "users", "cache.shard-size", "1m", "cache.autoscaler.enabled", "false",
        "shutdown.grace", "20s"), "test"), Map.of()));
  }

  private static boolean refused(InetSocketAddress address) {
    try (Socket s = new Socket()) {
      s.connect(address, (int) WAIT.toMillis());
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      throw new AssertionError("connecting to " + address, e);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void stopClosesTheListenersFirstAndDrainsTheOpenConnection() throws Exception {
    StringWriter logText = new StringWriter();
    JsonLog log = new JsonLog(new PrintWriter(logText, true), Clock.systemUTC());
    TideCacheServer server = TideCacheServer.start(config("0", "0"), log);
    InetSocketAddress tcp = server.tcpAddress();
    InetSocketAddress http = server.httpAddress();
    RSocketCacheClient client = RSocketCacheClient.builder("users")
        .tcp(tcp.getHostString(), tcp.getPort()).connect().block(WAIT);
    Sinks.Many<byte[]> keys = Sinks.many().unicast().onBackpressureBuffer();
    Queue<String> answers = new ConcurrentLinkedQueue<>();
    AtomicBoolean channelDone = new AtomicBoolean();
    Disposable channel = null;
    try {
      client.put(b("a"), b("1")).block(WAIT);
      client.put(b("b"), b("2")).block(WAIT);
      channel = client.getAll(keys.asFlux())
          .map(e -> new String(e.key(), StandardCharsets.UTF_8) + "="
              + new String(e.value(), StandardCharsets.UTF_8))
          .subscribe(answers::add, e -> answers.add("error " + e), () -> channelDone.set(true));
      keys.tryEmitNext(b("a"));
      await("the first answer of the held channel", () -> answers.contains("a=1"));
      assertThat(server.gate().inFlight()).isEqualTo(1);

      CompletableFuture<TideCacheServer.StopReport> stopped = new CompletableFuture<>();
      Thread stopper = new Thread(() -> {
        try {
          stopped.complete(server.stop("test"));
        } catch (Throwable t) {
          stopped.completeExceptionally(t);
        }
      }, "test-stopper");
      stopper.start();

      await("the gate to close", () -> !server.gate().isOpen());
      assertThat(refused(tcp)).as("a new TCP connection while draining").isTrue();
      assertThat(refused(http)).as("a new HTTP/WebSocket connection while draining").isTrue();
      StepVerifier.create(client.get(b("a"))).verifyError(CacheClosed.class);
      assertThat(stopped).as("the stop waits for the held channel").isNotDone();

      keys.tryEmitNext(b("b")); // the held channel is still served on its open connection
      await("the second answer of the held channel", () -> answers.contains("b=2"));
      keys.tryEmitComplete();
      await("the channel to complete", channelDone::get);

      TideCacheServer.StopReport report = stopped.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(report.drained()).isTrue();
      assertThat(report.abandoned()).isZero();
      assertThat(report.refusedWhileStopping()).isEqualTo(1);
      assertThat(report.leasesActive()).isZero();
      assertThat(report.clean()).as("report %s", report).isTrue();
      assertThat(answers).containsExactly("a=1", "b=2");
      await("the client to see its connection closed", () -> !client.connected());
    } finally {
      if (channel != null) {
        channel.dispose();
      }
      client.close().block(WAIT);
      server.stop("test");
      log.close();
    }
  }

  @Test
  void aWebSocketPortInUseFailsTheStartAndLeavesNothingListening() throws IOException {
    int tcpPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      tcpPort = probe.getLocalPort();
    }
    StringWriter logText = new StringWriter();
    JsonLog log = new JsonLog(new PrintWriter(logText, true), Clock.systemUTC());
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int httpPort = busy.getLocalPort();
      ServerConfig config = config(String.valueOf(tcpPort), String.valueOf(httpPort));
      assertThatThrownBy(() -> TideCacheServer.start(config, log))
          .hasMessageContaining("cannot listen for RSocket over WebSocket on 127.0.0.1:"
              + httpPort)
          .hasMessageContaining("Address already in use");
    } finally {
      log.close();
    }
    try (ServerSocket again = new ServerSocket(tcpPort, 1,
        InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).as("the TCP port is free again").isEqualTo(tcpPort);
    }
  }
}
