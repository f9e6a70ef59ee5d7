package io.tidecache.loadtest.rehash;

import io.tidecache.api.ElasticCache;
import io.tidecache.api.RehashProgress;
import io.tidecache.engine.memory.MemoryPool;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs on its own thread (the only caller of the cache's scaling control); the steps it has
 * finished can be read from any thread. Waits until each step's start time, then changes the
 * shard count by one ({@code addShard} or {@code removeShard}) and runs {@code rehash()} to
 * completion, timing both.
 */
final class ScalingScript implements Runnable {
  static final long RELEASE_WAIT_NANOS = 2_000_000_000L;

  /** One planned change of the shard count: {@code from} to {@code to}, due at {@code atNanos}. */
  record Plan(int from, int to, long atNanos) {
    String label() {
      return (to > from ? "grow " : "shrink ") + from + "→" + to;
    }
  }

  /**
   * One finished step. Times are {@code System.nanoTime()} values: the change call from
   * {@code changeStart} to {@code rehashStart}, the rehash from {@code rehashStart} to
   * {@code rehashEnd} (its completion signal).
   *
   * @param last the last progress element the rehash emitted ({@code done == true})
   * @param progressEvents progress elements emitted
   * @param leasedBytesAfter bytes the pool had leased once the step was over: for a shrink,
   *     once the removed shard's lease was back in the pool
   * @param releaseEnd for a shrink, when the pool's leased bytes were seen to drop by the removed
   *     shard's lease (polled every 100 µs after the rehash completed), else {@code rehashEnd}; or
   *     -1 if that was not seen within {@link #RELEASE_WAIT_NANOS}
   */
  record Step(Plan plan, long changeStart, long rehashStart, long rehashEnd, RehashProgress last,
      int progressEvents, long leasedBytesAfter, long releaseEnd) {

    /** Milliseconds from the rehash's completion to its removed shard's lease release. */
    double releaseMillis() {
      return releaseEnd < 0 ? Double.NaN : (releaseEnd - rehashEnd) / 1e6;
    }

    double changeMillis() {
      return (rehashStart - changeStart) / 1e6;
    }

    double rehashMillis() {
      return (rehashEnd - rehashStart) / 1e6;
    }

    /** Entries moved per second of the rehash's wall time. */
    double entriesPerSecond() {
      return last.entriesMoved() / ((rehashEnd - rehashStart) / 1e9);
    }
  }

  private final ElasticCache cache;
  private final MemoryPool pool;
  private final List<Plan> plans;
  private final List<Step> done = new CopyOnWriteArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  ScalingScript(ElasticCache cache, MemoryPool pool, List<Plan> plans) {
    this.cache = cache;
    this.pool = pool;
    this.plans = List.copyOf(plans);
  }

  @Override
  public void run() {
    try {
      for (Plan p : plans) {
        for (long wait; (wait = p.atNanos() - System.nanoTime()) > 0;) {
          LockSupport.parkNanos(this, wait);
        }
        done.add(runStep(p));
      }
    } catch (Throwable t) {
      failure.set(t);
    }
  }

  private Step runStep(Plan p) {
    long leasedBefore = pool.leasedBytes();
    long changeStart = System.nanoTime();
    int target = (p.to() > p.from() ? cache.addShard() : cache.removeShard()).block();
    if (target != p.to()) {
      throw new IllegalStateException(p.label() + ": the cache would go to " + target
          + " shards");
    }
    long rehashStart = System.nanoTime();
    RehashProgress[] last = new RehashProgress[1];
    int[] events = new int[1];
    cache.rehash().doOnNext(progress -> {
      last[0] = progress;
      events[0]++;
    }).blockLast();
    long rehashEnd = System.nanoTime();
    if (last[0] == null || !last[0].done() || cache.shards() != p.to()) {
      throw new IllegalStateException(p.label() + ": the rehash ended with " + last[0]
          + " and " + cache.shards() + " shards");
    }
    long releaseEnd = rehashEnd;
    if (p.to() < p.from()) {
      long expected = leasedBefore - cache.shardBytes();
      releaseEnd = -1;
      while (System.nanoTime() - rehashEnd < RELEASE_WAIT_NANOS) {
        if (pool.leasedBytes() <= expected) {
          releaseEnd = System.nanoTime();
          break;
        }
        LockSupport.parkNanos(this, 100_000);
      }
    }
    return new Step(p, changeStart, rehashStart, rehashEnd, last[0], events[0],
        pool.leasedBytes(), releaseEnd);
  }

  /** The steps finished so far, in order. */
  List<Step> done() {
    return List.copyOf(done);
  }

  /** The error that stopped the script, or null. */
  Throwable failure() {
    return failure.get();
  }
}
