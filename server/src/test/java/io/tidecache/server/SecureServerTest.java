package io.tidecache.server;

import io.tidecache.transport.rsocket.testing.SelfSignedCertificate;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.Codecs;
import io.tidecache.api.Disconnected;
import io.tidecache.api.TypedCache;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * Not thread-safe (JUnit's thread): the security keys reach the transport: with {@code tls.cert}
 * and {@code tls.key} every listener speaks TLS ({@code tcp+tls://}, {@code wss://},
 * {@code https://} for /metrics), and with {@code auth.tokens} and {@code auth.tokens-file} a
 * client must present one of the tokens. The certificate is self-signed at test time by the
 * JDK's keytool, for 127.0.0.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecureServerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  static Path dir;

  private final StringWriter logText = new StringWriter();
  private JsonLog log;
  private TideCacheServer server;
  private Path cert;

  @BeforeAll
  void start() throws Exception {
    cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    SelfSignedCertificate.write(dir.resolve("server.p12"), cert, key);
    Path tokens = Files.writeString(dir.resolve("tokens"), "# clients\nfile-t0ken\n");
    log = new JsonLog(new PrintWriter(logText, true), Clock.systemUTC());
    server = TideCacheServer.start(ServerConfig.conclude(ConfigSource.of(ConfigSource.values(
        Map.of("tcp.port", "0", "http.port", "0", "pool.size", "8m", "caches", "users",
            "cache.shard-size", "1m", "tls.cert", cert.toString(), "tls.key", key.toString(),
            "auth.tokens", "inline-t0ken", "auth.tokens-file", tokens.toString()), "test"),
        Map.of())), log);
  }

  @AfterAll
  void stop() {
    if (server != null) {
      assertThat(server.stop("test").clean()).isTrue();
    }
    if (log != null) {
      log.close();
    }
  }

  @Test
  void theListenersSpeakTlsAndSaySo() {
    assertThat(log.flush(WAIT)).isTrue();
    int tcp = server.tcpAddress().getPort();
    int http = server.httpAddress().getPort();
    assertThat(logText.toString())
        .contains("\"url\":\"tcp+tls://127.0.0.1:" + tcp + "\"")
        .contains("\"url\":\"wss://127.0.0.1:" + http + "/rsocket\"")
        .contains("\"url\":\"https://127.0.0.1:" + http + "/metrics\"")
        .contains("\"tls\":true,\"auth\":true");
  }

  @Test
  void aClientWithATokenFromEitherSourceIsServedOverTlsTcpAndWss() {
    RSocketCacheClient overTcp = RSocketCacheClient.builder("users")
        .tcp("127.0.0.1", server.tcpAddress().getPort()).tls(cert).token("file-t0ken")
        .connect().block(WAIT);
    RSocketCacheClient overWss = RSocketCacheClient.builder("users")
        .webSocket("127.0.0.1", server.httpAddress().getPort(), "/rsocket").tls(cert)
        .token("inline-t0ken").connect().block(WAIT);
    try {
      TypedCache<String, String> a = overTcp.typed(Codecs.STRING, Codecs.STRING);
      TypedCache<String, String> b = overWss.typed(Codecs.STRING, Codecs.STRING);
      a.put("id-1", "Ada").block(WAIT);
      assertThat(b.get("id-1").block(WAIT)).isEqualTo("Ada");
    } finally {
      overTcp.close().block(WAIT);
      overWss.close().block(WAIT);
    }
  }

  @Test
  void aClientWithoutAnAcceptedTokenIsNotServed() {
    RSocketCacheClient stranger = RSocketCacheClient.builder("users")
        .tcp("127.0.0.1", server.tcpAddress().getPort()).tls(cert).token("guess")
        .reconnectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5)).build();
    try {
      StepVerifier.create(stranger.put("x".getBytes(StandardCharsets.UTF_8), new byte[1]))
          .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(Disconnected.class));
    } finally {
      stranger.close().block(WAIT);
    }
  }

  @Test
  void metricsAreServedOverHttps() throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry("tidecache",
          CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    try (HttpClient c = HttpClient.newBuilder().sslContext(ssl).build()) {
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
              + server.httpAddress().getPort() + "/metrics")).timeout(WAIT).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("tidecache_transport_refusals_total{reason=\"unauthorized\"}");
    }
  }
}
