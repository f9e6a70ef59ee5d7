package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.CacheEvent;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.ShardEvent;
import io.tidecache.engine.check.RegisterHistory;
import io.tidecache.engine.check.RegisterHistory.Kind;
import io.tidecache.engine.check.RegisterHistory.Op;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The history checker: concurrent clients run get/put/remove with unique values over a small hot
 * key set while another thread cycles the shard set 1 -> 8 -> 1 three times. The recorded history
 * is checked per key by {@link RegisterHistory} (linearizable register with unique writes).
 * Beside the hot keys: keys written once and never removed must never miss (no false miss), and
 * keys removed once must never come back (no resurrection). The pool is sized so that nothing is
 * evicted; that is asserted too.
 */
class MigrationHistoryTest {
  private static final long ABSENT = RegisterHistory.ABSENT;
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final int CLIENTS = 3;
  private static final int HOT_KEYS = 32;
  private static final int STABLE_KEYS = 256;
  private static final int DOOMED_KEYS = 64;
  private static final int CYCLES = 3;
  private static final int MAX_SHARDS = 8;

  private static final int OPS_PER_STEP = 120;

  private final AtomicLong unique = new AtomicLong(1);
  private final AtomicLong done = new AtomicLong();

  private static byte[] hot(int k) { return ("hot-" + k).getBytes(); }

  private static byte[] stable(int k) { return ("stable-" + k).getBytes(); }

  private static byte[] doomed(int k) { return ("doomed-" + k).getBytes(); }

  private static byte[] bytes(long v) { return ByteBuffer.allocate(8).putLong(v).array(); }

  private static long decode(byte[] v) { return v == null ? ABSENT : ByteBuffer.wrap(v).getLong(); }

  @Test
  void historyStaysLinearizableWhileTheShardSetCycles() throws Exception {
    Engine engine = Engine.builder().poolBytes(64L << 20).threads(2).build();
    List<CacheEvent> events = new CopyOnWriteArrayList<>();
    Disposable sub = engine.events().subscribe(events::add);
    try {
      ElasticCache cache = engine.createCache(CacheOptions.builder("history").maxKeyBytes(16)
          .maxValueBytes(8).shardBytes(4L << 20).queueCapacity(1 << 14).build());
      Flux.range(0, STABLE_KEYS).flatMap(k -> cache.put(stable(k), bytes(k))).blockLast(DEADLINE);
      Flux.range(0, DOOMED_KEYS).flatMap(k -> cache.put(doomed(k), bytes(k))).blockLast(DEADLINE);
      long freeAtStart = engine.pool().freeBytes();
      int leasesAtStart = engine.pool().activeLeases();

      AtomicBoolean cycling = new AtomicBoolean(true);
      Queue<String> violations = new ConcurrentLinkedQueue<>();
      long[] doomedAt = {Long.MAX_VALUE};
      List<List<Op>> histories = new ArrayList<>();
      CountDownLatch clientsDone = new CountDownLatch(CLIENTS);
      for (int c = 0; c < CLIENTS; c++) {
        List<Op> history = new ArrayList<>();
        histories.add(history);
        SplittableRandom rnd = new SplittableRandom(c);
        Thread.ofPlatform().name("client-" + c).start(() -> {
          try {
            while (cycling.get()) {
              clientStep(cache, rnd, history, violations, doomedAt);
            }
          } catch (RuntimeException e) {
            violations.add("client failed: " + e);
          } finally {
            clientsDone.countDown();
          }
        });
      }

      int removals = 0;
      long cycleStart = System.nanoTime();
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        for (int n = 1; n < MAX_SHARDS; n++) {
          cache.addShard().block(DEADLINE);
          rehashUnderLoad(cache, violations);
          assertThat(cache.shards()).isEqualTo(n + 1);
        }
        if (cycle == 0) {
          Flux.range(0, DOOMED_KEYS).flatMap(k -> cache.remove(doomed(k))).blockLast(DEADLINE);
          doomedAt[0] = System.nanoTime();
        }
        for (int n = MAX_SHARDS; n > 1; n--) {
          cache.removeShard().block(DEADLINE);
          rehashUnderLoad(cache, violations);
          removals++;
          assertThat(cache.shards()).isEqualTo(n - 1);
        }
      }
      cycling.set(false);
      long cycled = System.nanoTime() - cycleStart;
      assertThat(clientsDone.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();

      List<Op> all = new ArrayList<>();
      histories.forEach(all::addAll);
      assertThat(all.size()).as("operations recorded")
          .isGreaterThan(2 * CYCLES * (MAX_SHARDS - 1) * OPS_PER_STEP / 2);
      for (int k = 0; k < HOT_KEYS; k++) {
        int key = k;
        RegisterHistory.check(all.stream().filter(o -> o.key() == key).toList(), violations);
      }
      System.out.printf("%d ops recorded while %d rehashes ran in %d ms; checked in %d ms%n",
          all.size(), 2 * CYCLES * (MAX_SHARDS - 1), cycled / 1_000_000,
          (System.nanoTime() - cycleStart - cycled) / 1_000_000);
      assertThat(violations).as("violations").isEmpty();

      CacheStats stats = cache.stats().block(DEADLINE);
      assertThat(stats.evictions()).as("evictions").isZero();
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (engine.pool().freeBytes() != freeAtStart && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(engine.pool().freeBytes()).as("pool free bytes after shrinking to base")
          .isEqualTo(freeAtStart);
      assertThat(engine.pool().activeLeases()).isEqualTo(leasesAtStart);
      assertThat(events).filteredOn(e -> e instanceof ShardEvent.ShardRemoved)
          .hasSize(removals);
    } finally {
      sub.dispose();
      engine.close().block(DEADLINE);
    }
  }

  /** Runs one rehash, then lets the clients run OPS_PER_STEP more operations before the next. */
  private void rehashUnderLoad(ElasticCache cache, Queue<String> violations) {
    cache.rehash().blockLast(DEADLINE);
    long target = done.get() + OPS_PER_STEP;
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (done.get() < target && violations.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("clients made no progress");
      }
      Thread.onSpinWait();
    }
  }

  private void clientStep(ElasticCache cache, SplittableRandom rnd, List<Op> history,
      Queue<String> violations, long[] doomedAt) {
    done.incrementAndGet();
    int dice = rnd.nextInt(100);
    if (dice < 10) {
      int k = rnd.nextInt(STABLE_KEYS);
      long v = decode(cache.get(stable(k)).block(DEADLINE));
      if (v != k) {
        violations.add("stable key " + k + " read as " + v + " (false miss or wrong value)");
      }
      return;
    }
    if (dice < 15) {
      int k = rnd.nextInt(DOOMED_KEYS);
      long start = System.nanoTime();
      long v = decode(cache.get(doomed(k)).block(DEADLINE));
      if (start > doomedAt[0] && v != ABSENT) {
        violations.add("removed key " + k + " came back with " + v);
      }
      return;
    }
    int key = rnd.nextInt(HOT_KEYS);
    long[] response = new long[1];
    long invoke;
    if (dice < 55) {
      invoke = System.nanoTime();
      byte[] got = cache.get(hot(key)).doOnTerminate(() -> response[0] = System.nanoTime())
          .block(DEADLINE);
      stamp(response);
      history.add(new Op(key, Kind.GET, decode(got), invoke, response[0]));
    } else if (dice < 88) {
      long v = unique.getAndIncrement();
      invoke = System.nanoTime();
      cache.put(hot(key), bytes(v)).doOnTerminate(() -> response[0] = System.nanoTime())
          .block(DEADLINE);
      stamp(response);
      history.add(new Op(key, Kind.PUT, v, invoke, response[0]));
    } else {
      invoke = System.nanoTime();
      Mono<Boolean> remove = cache.remove(hot(key));
      remove.doOnTerminate(() -> response[0] = System.nanoTime()).block(DEADLINE);
      stamp(response);
      history.add(new Op(key, Kind.REMOVE, ABSENT, invoke, response[0]));
    }
  }

  /** A value completed synchronously on this thread before doOnTerminate ran keeps its stamp. */
  private static void stamp(long[] response) {
    if (response[0] == 0) {
      response[0] = System.nanoTime();
    }
  }
}
