package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.ShardEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@code scan()}: every entry once, expiry, backpressure, close, and a concurrent rehash. */
class ScanTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final int SCANNERS = 3;

  private Engine engine;

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close().block(DEADLINE);
    }
  }

  private static byte[] key(String prefix, int i) {
    return (prefix + i).getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Counts each key of a scan; fails on a value that is not the key's own. */
  private static Map<String, Integer> counts(List<CacheEntry<byte[], byte[]>> scanned) {
    Map<String, Integer> seen = new HashMap<>();
    for (CacheEntry<byte[], byte[]> e : scanned) {
      seen.merge(text(e.key()), 1, Integer::sum);
    }
    return seen;
  }

  @Test
  void everyEntryOfEveryShardAppearsOnceWithItsValue() {
    engine = Engine.builder().poolBytes(16L << 20).threads(2).build();
    ElasticCache cache = engine.createCache(CacheOptions.builder("scan").maxKeyBytes(16)
        .maxValueBytes(16).shardBytes(2L << 20).baseShards(3).build());
    StepVerifier.create(cache.scan()).verifyComplete();
    int n = 5_000;
    Flux.range(0, n).flatMap(i -> cache.put(key("k", i), key("v", i))).blockLast(DEADLINE);
    cache.remove(key("k", 7)).block(DEADLINE);

    List<CacheEntry<byte[], byte[]>> scanned = cache.scan().collectList().block(DEADLINE);

    Map<String, Integer> seen = counts(scanned);
    assertThat(seen).hasSize(n - 1).doesNotContainKey("k7");
    assertThat(seen.values()).containsOnly(1);
    for (CacheEntry<byte[], byte[]> e : scanned) {
      assertThat(text(e.value())).isEqualTo("v" + text(e.key()).substring(1));
    }
  }

  @Test
  void expiredEntriesAreNotScanned() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    engine = Engine.builder().poolBytes(4L << 20).threads(1).clock(clock).build();
    ElasticCache cache = engine.createCache(CacheOptions.builder("ttl").shardBytes(1L << 20)
        .build());
    cache.put(key("short", 1), key("v", 1), Duration.ofSeconds(1)).block(DEADLINE);
    cache.put(key("long", 2), key("v", 2), Duration.ofSeconds(10)).block(DEADLINE);
    cache.put(key("never", 3), key("v", 3), Duration.ZERO).block(DEADLINE);
    clock.advanceTimeBy(Duration.ofSeconds(1));

    List<CacheEntry<byte[], byte[]>> scanned = cache.scan().collectList().block(DEADLINE);

    assertThat(counts(scanned).keySet()).containsExactlyInAnyOrder("long2", "never3");
  }

  @Test
  void entriesFlowOnlyAsRequestedAndCancelStops() {
    engine = Engine.builder().poolBytes(8L << 20).threads(1).build();
    ElasticCache cache = engine.createCache(CacheOptions.builder("demand").shardBytes(1L << 20)
        .baseShards(2).build());
    Flux.range(0, 1_000).flatMap(i -> cache.put(key("k", i), key("v", i))).blockLast(DEADLINE);

    StepVerifier.create(cache.scan(), 0)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(50))
        .thenRequest(1)
        .expectNextCount(1)
        .expectNoEvent(Duration.ofMillis(50))
        .thenRequest(10)
        .expectNextCount(10)
        .thenCancel()
        .verify(DEADLINE);

    // one at a time to the end: every key, once
    List<CacheEntry<byte[], byte[]>> all = cache.scan().limitRate(1).collectList().block(DEADLINE);
    assertThat(counts(all)).hasSize(1_000);
    assertThat(counts(all).values()).containsOnly(1);
  }

  @Test
  void aClosedCacheRefusesToScan() {
    engine = Engine.builder().poolBytes(4L << 20).threads(1).build();
    ElasticCache cache = engine.createCache(CacheOptions.builder("closed").shardBytes(1L << 20)
        .build());
    cache.put(key("k", 1), key("v", 1)).block(DEADLINE);
    cache.close().block(DEADLINE);
    StepVerifier.create(cache.scan()).expectError(CacheClosed.class).verify(DEADLINE);
  }

  /**
   * Scans run back to back while the set grows 1 -> 4 -> 1 twice, clients read the stable keys
   * (so their home shards move them on first touch) and churn other keys. Every scan must hold
   * every stable key exactly once and no key twice; at least one scan must overlap a rehash.
   */
  @Test
  void aScanConcurrentWithRehashSeesEveryStableKeyExactlyOnce() throws Exception {
    engine = Engine.builder().poolBytes(64L << 20).threads(2).build();
    ElasticShardSet cache = (ElasticShardSet) engine.createCache(CacheOptions.builder("moving")
        .maxKeyBytes(16).maxValueBytes(16).shardBytes(4L << 20).queueCapacity(1 << 14).build());
    int stable = 20_000;
    Flux.range(0, stable).flatMap(i -> cache.put(key("s", i), key("v", i))).blockLast(DEADLINE);
    List<long[]> rehashes = new CopyOnWriteArrayList<>(); // [started, completed] nanoTime
    Disposable events = cache.events().subscribe(e -> {
      if (e instanceof ShardEvent.RehashStarted) {
        rehashes.add(new long[] {System.nanoTime(), Long.MAX_VALUE});
      } else if (e instanceof ShardEvent.RehashCompleted) {
        rehashes.getLast()[1] = System.nanoTime();
      }
    });
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger scans = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    List<long[]> scanTimes = new CopyOnWriteArrayList<>();
    Runnable scanning = () -> {
      while (!stop.get() && failures.isEmpty()) {
        long start = System.nanoTime();
        List<CacheEntry<byte[], byte[]>> got = cache.scan().collectList().block(DEADLINE);
        scanTimes.add(new long[] {start, System.nanoTime()});
        scans.incrementAndGet();
        Map<String, Integer> seen = counts(got);
        for (int i = 0; i < stable; i++) {
          Integer c = seen.get("s" + i);
          if (c == null || c != 1) {
            failures.add("scan " + scans.get() + ": stable key s" + i + " seen " + c + " times");
            break;
          }
        }
        seen.forEach((k, c) -> {
          if (c > 1) {
            failures.add("scan " + scans.get() + ": key " + k + " seen " + c + " times");
          }
        });
      }
    };
    List<Thread> scanners = new ArrayList<>();
    for (int i = 0; i < SCANNERS; i++) {
      scanners.add(Thread.ofPlatform().name("scanner-" + i).start(scanning));
    }
    Disposable clients = Flux.range(0, 2).flatMap(client -> Flux.<Integer>generate(sink -> {
      if (stop.get()) {
        sink.complete();
      } else {
        sink.next(client);
      }
    }).concatMap(c -> {
      SplittableRandom rnd = new SplittableRandom();
      int i = rnd.nextInt(stable);
      int churn = rnd.nextInt(500);
      return cache.get(key("s", i))
          .then(rnd.nextBoolean() ? cache.put(key("c", churn), key("x", churn))
              : cache.remove(key("c", churn)).then());
    }).subscribeOn(Schedulers.boundedElastic()), 2).subscribe();
    try {
      for (int cycle = 0; cycle < 2 && failures.isEmpty(); cycle++) {
        for (int up = 0; up < 3; up++) {
          cache.addShard().block(DEADLINE);
          cache.rehash().blockLast(DEADLINE);
        }
        for (int down = 0; down < 3; down++) {
          cache.removeShard().block(DEADLINE);
          cache.rehash().blockLast(DEADLINE);
        }
      }
      int before = scans.get();
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (scans.get() < before + SCANNERS && failures.isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait(); // two more scans after the last rehash
      }
    } finally {
      stop.set(true);
      for (Thread scanner : scanners) {
        scanner.join(DEADLINE.toMillis());
      }
      clients.dispose();
      events.dispose();
    }
    assertThat(failures).isEmpty();
    assertThat(scans.get()).isGreaterThanOrEqualTo(2);
    assertThat(cache.stats().block(DEADLINE).evictions()).as("nothing evicted").isZero();
    long overlapping = scanTimes.stream().filter(s -> rehashes.stream()
        .anyMatch(r -> s[0] < r[1] && r[0] < s[1])).count();
    assertThat(overlapping).as("scans that overlapped a rehash").isPositive();
    System.out.printf("scan under rehash: %d scans, %d overlapped a rehash, %d passes retried%n",
        scans.get(), overlapping, cache.scanRetries());
  }
}
