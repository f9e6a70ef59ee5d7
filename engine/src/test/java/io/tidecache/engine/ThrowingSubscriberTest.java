package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Hooks;

/**
 * A subscriber that throws from a signal runs on the engine thread; the other operations of the
 * same batch must still be answered, and the failure is counted.
 */
class ThrowingSubscriberTest {
  private final Engine engine = Engine.builder().poolBytes(4L << 20).threads(1).build();

  @AfterEach
  void close() {
    Hooks.resetOnErrorDropped();
    engine.close().block(Duration.ofSeconds(5));
  }

  @Test
  void aThrowingSubscriberDoesNotCostOthersTheirAnswers() throws InterruptedException {
    Hooks.onErrorDropped(e -> { });
    ElasticCache cache = engine.createCache(CacheOptions.builder("t").shardBytes(1L << 20)
        .build());
    int n = 200;
    CountDownLatch answered = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      int k = i;
      // A raw subscriber: Reactor's lambda subscribers catch their own exceptions, this does not.
      cache.put(("k" + i).getBytes(), "v".getBytes()).subscribe(new CoreSubscriber<Void>() {
        @Override
        public void onSubscribe(Subscription s) {
          s.request(1);
        }

        @Override
        public void onNext(Void v) {}

        @Override
        public void onError(Throwable e) {}

        @Override
        public void onComplete() {
          answered.countDown();
          if (k % 2 == 0) {
            throw new IllegalStateException("subscriber bug " + k);
          }
        }
      });
    }
    assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
    Shard shard = ((ElasticShardSet) cache).leasedShards()[0];
    assertThat(shard.subscriberFailures.sum()).isEqualTo(n / 2);
  }
}
