package io.tidecache.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidecache.api.Codecs;
import io.tidecache.engine.Engine;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import io.tidecache.transport.rsocket.testing.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Not thread-safe (JUnit's thread): a Boot application context in client mode against a real
 * tidecache server over TCP (started here on a free port): the client from
 * {@code tidecache.client.*} (URI, cache, token, TLS), its meters, and its health going DOWN when
 * the server stops.
 */
class ClientStarterTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void theClientReachesTheServerAndReportsItsHealthAndMeters() {
    try (TestServer server = TestServer.start(List.of("users"), null, null, null)) {
      CacheableContract.starter().withUserConfiguration(EmbeddedStarterTest.WithRegistry.class)
          .withPropertyValues("tidecache.client.uri=" + server.uri(),
              "tidecache.client.cache=users")
          .run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(RSocketCacheClient.class)
                .hasSingleBean(ClientCaches.class).doesNotHaveBean(Engine.class);
            RSocketCacheClient client = ctx.getBean(RSocketCacheClient.class);
            assertThat(client.name()).isEqualTo("users");
            client.typed(Codecs.STRING, Codecs.STRING).put("id-1", "Ada").block(WAIT);
            // written over TCP, found in the server's engine
            assertThat(server.engine.cache("users").orElseThrow()
                .typed(Codecs.STRING, Codecs.STRING).get("id-1").block(WAIT)).isEqualTo("Ada");

            Health health = ctx.getBean(TideCacheHealthIndicator.class).health().block(WAIT);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("mode", "client")
                .containsEntry("uri", server.uri()).containsEntry("cache", "users")
                .containsEntry("entries", 1L).containsEntry("connected", true);

            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            assertThat(registry.get("tidecache.client.connected").tag("server", server.uri())
                .gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("tidecache.client.connects").functionCounter().count())
                .isEqualTo(1.0);

            server.running.dispose().block(WAIT);
            CacheableContract.await("the health to go DOWN once the server is gone", () ->
                ctx.getBean(TideCacheHealthIndicator.class).health().block(WAIT).getStatus()
                    .equals(Status.DOWN));
            assertThat(registry.get("tidecache.client.connected").gauge().value()).isZero();
          });
    }
  }

  @Test
  void aTokenIsSentAndAWrongOneIsRefused() {
    try (TestServer server = TestServer.start(List.of("default"), "s3cret", null, null)) {
      CacheableContract.starter().withPropertyValues("tidecache.client.uri=" + server.uri(),
              "tidecache.client.token=s3cret")
          .run(ctx -> assertThat(ctx.getBean(TideCacheHealthIndicator.class).health()
              .block(WAIT).getStatus()).isEqualTo(Status.UP));
      CacheableContract.starter().withPropertyValues("tidecache.client.uri=" + server.uri(),
              "tidecache.client.token=wrong", "tidecache.client.connect-timeout=2s")
          .run(ctx -> {
            Health health = ctx.getBean(TideCacheHealthIndicator.class).health().block(WAIT);
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsKey("error");
          });
    }
  }

  @Test
  void tlsTrustsTheConfiguredCertificate(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    SelfSignedCertificate.write(dir.resolve("ks.p12"), cert, key);
    try (TestServer server = TestServer.start(List.of("default"), null, cert, key)) {
      CacheableContract.starter().withPropertyValues(
              "tidecache.client.uri=tcp+tls://127.0.0.1:" + server.port(),
              "tidecache.client.tls.trusted-cert=" + cert)
          .run(ctx -> {
            assertThat(ctx).hasNotFailed();
            RSocketCacheClient client = ctx.getBean(RSocketCacheClient.class);
            client.put(new byte[] {1}, new byte[] {2}).block(WAIT);
            assertThat(client.get(new byte[] {1}).block(WAIT)).containsExactly(2);
          });
      // the same server without TLS on the client side: no connection, health DOWN
      CacheableContract.starter().withPropertyValues("tidecache.client.uri=" + server.uri(),
              "tidecache.client.connect-timeout=1s")
          .run(ctx -> assertThat(ctx.getBean(TideCacheHealthIndicator.class).health()
              .block(WAIT).getStatus()).isEqualTo(Status.DOWN));
    }
  }
}
