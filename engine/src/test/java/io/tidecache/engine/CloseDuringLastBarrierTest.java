package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Issue 16, bug 4: {@code close()} racing the last barrier of a rehash reopened the cache (the
 * completing thread wrote a control state with {@code closed = false}): {@code addShard()} then
 * succeeded on the closed cache, leasing bytes nothing released, and a scan completed empty.
 * Here the close runs on the engine thread, between the last barrier and the completion.
 */
class CloseDuringLastBarrierTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private final Engine engine = Engine.builder().poolBytes(4L << 20).threads(1).build();

  @AfterEach
  void close() {
    Seams.hook = null;
    engine.close().block(DEADLINE);
  }

  @Test
  void aCacheClosedAsItsRehashCompletesStaysClosed() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("c").maxKeyBytes(8)
        .maxValueBytes(8).shardBytes(1L << 20).build());
    for (int k = 0; k < 500; k++) {
      cache.put(TestKeys.of(k), TestKeys.of(k)).block(DEADLINE);
    }
    cache.addShard().block(DEADLINE);
    AtomicReference<Mono<Void>> closing = new AtomicReference<>();
    try (SeamPause p = SeamPause.runAt("rehash.completing", set -> {
      Mono<Void> m = cache.close().cache();
      m.subscribe();
      closing.set(m);
    })) {
      cache.rehash().onErrorResume(e -> Mono.empty()).blockLast(DEADLINE);
    }
    closing.get().block(DEADLINE);
    StepVerifier.create(cache.addShard()).expectError(CacheClosed.class).verify(DEADLINE);
    StepVerifier.create(cache.scan()).expectError(CacheClosed.class).verify(DEADLINE);
    StepVerifier.create(cache.rehash()).expectError(CacheClosed.class).verify(DEADLINE);
    assertThat(engine.pool().activeLeases()).isZero();
    assertThat(engine.pool().freeBytes()).isEqualTo(engine.pool().budget());
  }
}
