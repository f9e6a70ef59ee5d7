package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ElasticCache;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.Codecs;
import io.tidecache.api.TypedCache;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class EmbeddedCacheTest {
  private final Engine engine = Engine.builder().poolBytes(8L << 20).threads(1).build();

  @AfterEach
  void close() {
    engine.close().block(Duration.ofSeconds(5));
  }

  @Test
  void putGetRemoveRoundTrip() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("t").shardBytes(1L << 20).build());
    TypedCache<String, String> typed = cache.typed(Codecs.STRING, Codecs.STRING);
    StepVerifier.create(typed.get("a")).verifyComplete();
    StepVerifier.create(typed.put("a", "alpha")).verifyComplete();
    StepVerifier.create(typed.get("a")).expectNext("alpha").verifyComplete();
    StepVerifier.create(typed.put("a", "beta")).verifyComplete();
    StepVerifier.create(typed.get("a")).expectNext("beta").verifyComplete();
    StepVerifier.create(typed.remove("a")).expectNext(true).verifyComplete();
    StepVerifier.create(typed.remove("a")).expectNext(false).verifyComplete();
    StepVerifier.create(typed.get("a")).verifyComplete();
    CacheStats stats = cache.stats().block();
    assertThat(stats.puts()).isEqualTo(2);
    assertThat(stats.hits()).isEqualTo(2);
    assertThat(stats.misses()).isEqualTo(2);
    assertThat(stats.removes()).isEqualTo(1);
  }
}
