package io.tidecache.transport.rsocket;

import io.tidecache.transport.rsocket.testing.SelfSignedCertificate;
import static io.tidecache.transport.rsocket.RawRSocket.WAIT;
import static io.tidecache.transport.rsocket.RawRSocket.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.Disconnected;
import io.tidecache.engine.Engine;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): TLS on TCP and on WebSocket, with a self-signed certificate
 * made at test time by the JDK's {@code keytool} (with a subject alternative name for 127.0.0.1,
 * which Netty's {@code SelfSignedCertificate} cannot add, so hostname verification stays on),
 * written out as the PEM certificate / PKCS#8 key pair the server takes.
 */
class TlsTest {
  @TempDir
  static Path dir;
  private static Engine engine;
  private static ByteCache users;
  private static Path cert;
  private static RunningCacheServer server;

  @BeforeAll
  static void start() throws Exception {
    Path key = dir.resolve("server.key");
    cert = dir.resolve("server.crt");
    SelfSignedCertificate.write(dir.resolve("server.p12"), cert, key);
    engine = Engine.builder().poolBytes(8L << 20).threads(1).build();
    users = engine.createCache(CacheOptions.builder("users").shardBytes(1L << 20).build());
    server = RSocketCacheServer.builder().caches(engine::cache).tls(cert, key)
        .tcp(0).webSocket(0, "/rsocket").build().start().block(WAIT);
  }

  @AfterAll
  static void stop() {
    server.dispose().block(WAIT);
    engine.close().block(WAIT);
  }

  @Test
  void aClientTrustingTheCertificateIsServedOverTcp() {
    RSocketCacheClient client = RSocketCacheClient.builder("users")
        .tcp("127.0.0.1", server.tcpAddress().getPort()).tls(cert).connect().block(WAIT);
    try {
      client.put(bytes("tls"), bytes("tcp")).block(WAIT);
      assertThat(users.get(bytes("tls")).block(WAIT)).isEqualTo(bytes("tcp"));
    } finally {
      client.close().block(WAIT);
    }
  }

  @Test
  void aClientTrustingTheCertificateIsServedOverWebSocket() {
    RSocketCacheClient client = RSocketCacheClient.builder("users")
        .webSocket("127.0.0.1", server.webSocketAddress().getPort(), "/rsocket").tls(cert)
        .connect().block(WAIT);
    try {
      client.put(bytes("tls"), bytes("wss")).block(WAIT);
      assertThat(client.get(bytes("tls")).block(WAIT)).isEqualTo(bytes("wss"));
    } finally {
      client.close().block(WAIT);
    }
  }

  @Test
  void aPlaintextClientIsNotServed() {
    RSocketCacheClient client = RSocketCacheClient.builder("users")
        .tcp("127.0.0.1", server.tcpAddress().getPort())
        .reconnectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5)).build();
    try {
      StepVerifier.create(client.put(bytes("plain"), bytes("x")))
          .verifyError(Disconnected.class);
      assertThat(users.get(bytes("plain")).block(WAIT)).isNull();
    } finally {
      client.close().block(WAIT);
    }
  }
}
