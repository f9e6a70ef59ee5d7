package io.tidecache.engine;

import io.tidecache.engine.table.KeyHash;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issue 16, bug 1 (second half): an unexpected exception on an engine thread fails the operation
 * or the rehash it belongs to, loudly and counted, once; it never loops (a source that threw on
 * every turn spun 714,425 times in 8 s and blocked every later resize) and never leaves a caller
 * without an answer.
 */
class EngineErrorsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final int KEYS = 2_000;
  private final Engine engine = Engine.builder().poolBytes(4L << 20).threads(1).build();

  @AfterEach
  void close() {
    Seams.hook = null;
    engine.close().block(DEADLINE);
  }

  private ElasticCache filled() {
    ElasticCache cache = engine.createCache(CacheOptions.builder("c").maxKeyBytes(8)
        .maxValueBytes(8).shardBytes(1L << 20).build());
    Flux.range(0, KEYS).flatMap(k -> cache.put(TestKeys.of(k), TestKeys.of(k)), 64)
        .blockLast(DEADLINE);
    return cache;
  }

  @Test
  void aSourceThatThrowsFailsItsRehashOnceAndAnotherRehashFinishesTheJob() {
    ElasticCache cache = filled();
    ElasticShardSet set = (ElasticShardSet) cache;
    cache.addShard().block(DEADLINE);
    Seams.hook = (point, subject) -> {
      if (point.equals("migrate.chunk")) {
        throw new IllegalArgumentException("injected fault");
      }
    };
    Throwable failure = cache.rehash().then(Mono.<Throwable>empty())
        .onErrorResume(Mono::just).block(DEADLINE);
    assertThat(failure).as("the rehash failed").isNotNull()
        .hasMessageContaining("shard 0 of cache 'c'").hasRootCauseMessage("injected fault");
    // more turns of the engine thread: the fault does not run again
    for (int i = 0; i < 10; i++) {
      cache.put(TestKeys.of(-1), TestKeys.of(-1)).block(DEADLINE);
    }
    assertThat(set.engineErrors()).isEqualTo(1);
    Seams.hook = null;
    assertThat(cache.rehash().blockLast(DEADLINE).done()).isTrue();
    assertThat(cache.shards()).isEqualTo(2);
    assertThat(Flux.range(0, KEYS).flatMap(k -> cache.get(TestKeys.of(k)), 64).count()
        .block(DEADLINE)).isEqualTo(KEYS);
  }

  @Test
  void anOperationThatThrowsOnTheEngineThreadIsAnsweredWithTheError() throws Exception {
    ElasticCache cache = filled();
    ElasticShardSet set = (ElasticShardSet) cache;
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    byte[] key = TestKeys.of(1);
    // An operation the table does not know: the engine thread throws while running it.
    reactor.core.publisher.BaseSubscriber<Object> sub = new reactor.core.publisher.BaseSubscriber<>() {
      @Override
      protected void hookOnNext(Object value) {
        outcome.complete(value);
      }

      @Override
      protected void hookOnError(Throwable e) {
        outcome.complete(e);
      }

      @Override
      protected void hookOnComplete() {
        outcome.complete("empty");
      }
    };
    ShardOp op = new ShardOp(sub, 99, key, KeyHash.hash(key), null, 0);
    sub.onSubscribe(op);
    set.submit(op);
    assertThat(outcome.get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(IllegalStateException.class)
        .satisfies(e -> assertThat((Throwable) e).hasMessageContaining("shard 0 of cache 'c'"));
    assertThat(set.engineErrors()).isEqualTo(1);
    assertThat(cache.get(key).block(DEADLINE)).isNotNull();
  }
}
