package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ElasticCache;
import io.tidecache.api.CacheOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;

/**
 * Proves that BlockHound is installed in this test JVM and watches engine threads: a blocking
 * call made on one (here from a completion signal, which runs on the engine thread) is refused.
 */
class BlockHoundTest {
  @Test
  void blockingOnAnEngineThreadIsDetected() throws Exception {
    Engine engine = Engine.builder().poolBytes(1L << 20).threads(1).build();
    try {
      ElasticCache cache = engine.createCache(CacheOptions.builder("bh").shardBytes(1L << 19)
          .build());
      CompletableFuture<Throwable> seen = new CompletableFuture<>();
      cache.put("k".getBytes(), "v".getBytes()).doOnSuccess(v -> {
        try {
          new CountDownLatch(1).await(1, TimeUnit.MILLISECONDS);
          seen.complete(null);
        } catch (Throwable e) {
          seen.complete(e);
        }
      }).subscribe();
      Throwable error = seen.get(10, TimeUnit.SECONDS);
      assertThat(Thread.currentThread().getName()).doesNotStartWith("tidecache-engine");
      assertThat(error).isInstanceOf(BlockingOperationError.class);
    } finally {
      engine.close().block(Duration.ofSeconds(5));
    }
  }
}
