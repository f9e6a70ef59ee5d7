package io.tidecache.transport.rsocket;

import io.tidecache.api.ByteCache;
import io.tidecache.api.contract.ByteCacheContract;
import io.tidecache.api.CacheOptions;
import io.tidecache.engine.Engine;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Not thread-safe (JUnit's thread): the {@link ByteCacheContract} bound to an
 * {@link RSocketCacheClient} talking over a real loopback socket to an {@link RSocketCacheServer}
 * that serves an embedded engine. One server and one client connection per class; each test's
 * cache is created in the engine and reached through {@link RSocketCacheClient#cache(String)}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RemoteCacheContract extends ByteCacheContract {
  private Engine engine;
  private RunningCacheServer server;
  private RSocketCacheClient root;

  /** True to connect over WebSocket, false for TCP. */
  protected abstract boolean webSocket();

  @BeforeAll
  void startServerAndClient() {
    engine = Engine.builder().poolBytes(64L << 20).threads(1).build();
    RSocketCacheServer.Builder b = RSocketCacheServer.builder().caches(engine::cache);
    server = (webSocket() ? b.webSocket(0, "/rsocket") : b.tcp(0)).build().start().block(WAIT);
    RSocketCacheClient.Builder c = RSocketCacheClient.builder("root");
    if (webSocket()) {
      InetSocketAddress a = server.webSocketAddress();
      c.webSocket(a.getHostString(), a.getPort(), "/rsocket");
    } else {
      InetSocketAddress a = server.tcpAddress();
      c.tcp(a.getHostString(), a.getPort());
    }
    root = c.connect().block(WAIT);
  }

  @AfterAll
  void stopServerAndClient() {
    root.close().block(WAIT);
    server.dispose().block(WAIT);
    engine.close().block(WAIT);
  }

  @Override
  protected ByteCache newCache(String name, int maxKeyBytes, int maxValueBytes) {
    engine.createCache(CacheOptions.builder(name).maxKeyBytes(maxKeyBytes)
        .maxValueBytes(maxValueBytes).shardBytes(1L << 20).build());
    return root.cache(name);
  }
}
