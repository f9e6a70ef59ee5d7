package io.tidecache.spring;

import io.tidecache.api.CacheOptions;
import io.tidecache.engine.Engine;
import io.tidecache.transport.rsocket.RSocketCacheServer;
import io.tidecache.transport.rsocket.RunningCacheServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Not thread-safe (a test's thread starts and stops it): a real tidecache RSocket server over TCP
 * on a free loopback port, serving an embedded engine's caches, optionally with a token and TLS.
 */
final class TestServer implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  final Engine engine;
  final RunningCacheServer running;

  private TestServer(Engine engine, RunningCacheServer running) {
    this.engine = engine;
    this.running = running;
  }

  /** Serves the named caches (1 MiB shards, values up to 4 KiB). */
  static TestServer start(List<String> caches, String token, Path cert, Path key) {
    Engine engine = Engine.builder().poolBytes(32L << 20).threads(1).build();
    try {
      for (String name : caches) {
        engine.createCache(CacheOptions.builder(name).maxKeyBytes(128).maxValueBytes(4096)
            .shardBytes(1L << 20).build());
      }
      RSocketCacheServer.Builder b = RSocketCacheServer.builder().caches(engine::cache)
          .events(engine.events()).tcp(0);
      if (token != null) {
        b.token(token);
      }
      if (cert != null) {
        b.tls(cert, key);
      }
      return new TestServer(engine, b.build().start().block(WAIT));
    } catch (RuntimeException e) {
      engine.close().block(WAIT);
      throw e;
    }
  }

  int port() {
    return running.tcpAddress().getPort();
  }

  String uri() {
    return "tcp://127.0.0.1:" + port();
  }

  @Override
  public void close() {
    try {
      running.dispose().block(WAIT);
    } finally {
      engine.close().block(WAIT);
    }
  }
}
