package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.ElasticCache;
import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.Overloaded;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Many producer threads against one single-writer shard. Everything waits on latches with a
 * deadline; nothing sleeps.
 */
class ShardConcurrencyTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private final Engine engine = Engine.builder().poolBytes(64L << 20).threads(1).build();

  @AfterEach
  void close() {
    engine.close().block(DEADLINE);
  }

  private static byte[] key(int producer, int i) {
    return ("p" + producer + "-" + i).getBytes();
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  /**
   * Each producer writes its own keys, up to 64 puts in flight. Every acknowledged put must be
   * in the table exactly once, and the puts counter must equal the acknowledgements.
   */
  @Test
  void everyAcknowledgedPutIsAppliedExactlyOnce() throws InterruptedException {
    ElasticCache cache = engine.createCache(CacheOptions.builder("many").maxKeyBytes(16)
        .maxValueBytes(8).shardBytes(16L << 20).queueCapacity(1024).build());
    int producers = 4;
    int perProducer = 5_000;
    AtomicLong acked = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(producers);
    for (int p = 0; p < producers; p++) {
      int producer = p;
      Thread.ofPlatform().start(() -> {
        Semaphore window = new Semaphore(64);
        for (int i = 0; i < perProducer; i++) {
          window.acquireUninterruptibly();
          byte[] k = key(producer, i);
          cache.put(k, longBytes(i)).subscribe(null, e -> {
            if (e instanceof Overloaded) {
              refused.incrementAndGet();
            } else {
              unexpected.add(e);
            }
            window.release();
          }, () -> {
            acked.incrementAndGet();
            window.release();
          });
        }
        window.acquireUninterruptibly(64);
        done.countDown();
      });
    }
    assertThat(done.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(unexpected).isEmpty();
    assertThat(acked.get() + refused.get()).isEqualTo((long) producers * perProducer);
    CacheStats stats = ExpiryTest.awaitStats(cache, s -> s.puts() == acked.get());
    assertThat(stats.evictions()).isZero();
    assertThat(stats.refusals()).isEqualTo(refused.get());
    assertThat(stats.entries()).isEqualTo(acked.get());
    long found = Flux.range(0, producers).flatMap(p -> Flux.range(0, perProducer)
        .flatMap(i -> cache.get(key(p, i)).filter(v -> ByteBuffer.wrap(v).getLong() == i)))
        .count().block(DEADLINE);
    assertThat(found).isEqualTo(acked.get());
  }

  /**
   * Each producer overwrites one key with 1, 2, 3... without waiting; a reader thread per key
   * must see the values only ever grow, and the final value is the last one written: the writer
   * applies each producer's operations in the order it submitted them.
   */
  @Test
  void eachProducersOrderIsKeptAndReadsAreNeverTorn() throws InterruptedException {
    ElasticCache cache = engine.createCache(CacheOptions.builder("order").maxKeyBytes(16)
        .maxValueBytes(64).shardBytes(1L << 20).queueCapacity(1 << 16).build());
    int producers = 3;
    int writes = 20_000;
    AtomicBoolean writing = new AtomicBoolean(true);
    Queue<String> violations = new ConcurrentLinkedQueue<>();
    CountDownLatch readersDone = new CountDownLatch(producers);
    CountDownLatch writersDone = new CountDownLatch(producers);
    for (int p = 0; p < producers; p++) {
      byte[] k = key(p, 0);
      Thread.ofPlatform().start(() -> {
        long last = 0;
        while (writing.get()) {
          byte[] v = cache.get(k).block(DEADLINE);
          if (v != null) {
            long seen = value(v, violations);
            if (seen < last) {
              violations.add("went back from " + last + " to " + seen);
            }
            last = seen;
          }
        }
        readersDone.countDown();
      });
      Thread.ofPlatform().start(() -> {
        AtomicInteger inFlight = new AtomicInteger();
        for (int i = 1; i <= writes; i++) {
          while (inFlight.get() >= 1024) {
            Thread.onSpinWait();
          }
          inFlight.incrementAndGet();
          cache.put(k, valueOf(i)).subscribe(null, e -> violations.add(e.toString()),
              inFlight::decrementAndGet);
        }
        while (inFlight.get() > 0) {
          Thread.onSpinWait();
        }
        writersDone.countDown();
      });
    }
    assertThat(writersDone.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    writing.set(false);
    assertThat(readersDone.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(violations).isEmpty();
    for (int p = 0; p < producers; p++) {
      assertThat(value(cache.get(key(p, 0)).block(DEADLINE), violations)).isEqualTo(writes);
    }
  }

  /** 64 bytes: the counter repeated eight times, so a torn read shows as a mismatch. */
  private static byte[] valueOf(long i) {
    ByteBuffer b = ByteBuffer.allocate(64);
    for (int j = 0; j < 8; j++) {
      b.putLong(i);
    }
    return b.array();
  }

  private static long value(byte[] v, Queue<String> violations) {
    ByteBuffer b = ByteBuffer.wrap(v);
    long first = b.getLong();
    for (int j = 1; j < 8; j++) {
      long next = b.getLong();
      if (next != first) {
        violations.add("torn read: " + first + " beside " + next);
      }
    }
    return first;
  }

  /**
   * A full queue refuses at once with Overloaded, counted, and nothing changes. The engine thread
   * is kept busy deterministically: the burst is submitted from inside a completion signal, which
   * runs on the engine thread, so nothing drains the queue meanwhile.
   */
  @Test
  void fullQueueAnswersOverloaded() throws InterruptedException {
    ElasticCache cache = engine.createCache(CacheOptions.builder("small").queueCapacity(16)
        .shardBytes(1L << 20).build());
    List<Object> outcomes = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch submitted = new CountDownLatch(1);
    cache.put("first".getBytes(), "v".getBytes()).doOnSuccess(v -> {
      for (int i = 0; i < 40; i++) {
        int n = i;
        cache.put(("k" + i).getBytes(), "v".getBytes())
            .subscribe(null, e -> outcomes.add(e), () -> outcomes.add(n));
      }
      submitted.countDown();
    }).subscribe();
    assertThat(submitted.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    CacheStats stats = ExpiryTest.awaitStats(cache, s -> s.puts() == 17);
    assertThat(stats.refusals()).isEqualTo(24);
    assertThat(stats.entries()).isEqualTo(17);
    StepVerifierHelper.awaitSize(outcomes, 40);
    assertThat(outcomes.stream().filter(o -> o instanceof Overloaded).count()).isEqualTo(24);
    assertThat(((Overloaded) outcomes.stream().filter(o -> o instanceof Overloaded).findFirst()
        .orElseThrow()).getMessage())
        .isEqualTo("queue of shard 0 of cache 'small' is full (limit 16); request refused, "
            + "nothing changed");
    assertThat(cache.get("k39".getBytes()).block(DEADLINE)).isNull();
  }

  /** Closing under load: every operation completes exactly once, as done or CacheClosed. */
  @Test
  void closeUnderLoadCompletesEveryOperationOnce() throws InterruptedException {
    ElasticCache cache = engine.createCache(CacheOptions.builder("closing").shardBytes(1L << 20)
        .queueCapacity(1 << 14).build());
    int producers = 3;
    int ops = 20_000;
    AtomicLong completions = new AtomicLong();
    Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    CountDownLatch started = new CountDownLatch(producers);
    CountDownLatch done = new CountDownLatch(producers);
    for (int p = 0; p < producers; p++) {
      int producer = p;
      Thread.ofPlatform().start(() -> {
        started.countDown();
        for (int i = 0; i < ops; i++) {
          Mono<Void> put = cache.put(key(producer, i % 100), "v".getBytes());
          put.subscribe(null, e -> {
            if (!(e instanceof CacheClosed) && !(e instanceof Overloaded)) {
              unexpected.add(e);
            }
            completions.incrementAndGet();
          }, completions::incrementAndGet);
        }
        done.countDown();
      });
    }
    assertThat(started.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    cache.close().block(DEADLINE);
    assertThat(done.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (completions.get() < (long) producers * ops && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(completions.get()).isEqualTo((long) producers * ops);
    assertThat(unexpected).isEmpty();
    assertThat(engine.pool().leasedBytes()).isZero();
  }
}
