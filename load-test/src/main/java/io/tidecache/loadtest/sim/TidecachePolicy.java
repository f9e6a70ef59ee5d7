package io.tidecache.loadtest.sim;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.engine.Engine;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Not thread-safe (one replaying thread): tidecache's own eviction policy, an embedded engine
 * (one engine thread) with one cache of ONE shard whose capacity is the listed number of entries
 * rounded down to a multiple of 16 ({@link Engine#shardBytesFor}).
 *
 * <p>An access is {@code get}; on a miss, {@code put}, and the replay waits for the put to
 * complete ({@code block()}: this is a command, not an engine thread) before the next access, so
 * the order of operations is the trace's. Keys are the trace's integers as 8 big-endian bytes;
 * every value is one byte.
 *
 * <p>The replay is sequential but not bit-for-bit repeatable: a hit completes on the caller's
 * thread and is recorded in the shard's lossy read buffer (512 records per stripe; the record
 * that fills it to half wakes a parked engine thread), which the engine thread drains whenever
 * it runs a turn. Waiting for each put lets the engine thread park between puts; a long streak
 * of hits that outruns its wake-up drops records past that bound, and the window sizer's first
 * decisions depend on which hits arrived in time: the behaviour of the engine under a real load.
 */
final class TidecachePolicy implements ReplayPolicy {
  static final int KEY_BYTES = Long.BYTES;
  static final int VALUE_BYTES = 1;
  private static final byte[] VALUE = {1};
  private static final long SETTLE_NANOS = 2_000_000_000L;

  private final Engine engine;
  private final ElasticCache cache;
  private final long capacity;
  private final byte[] key = new byte[KEY_BYTES];
  private long puts;

  TidecachePolicy(int entries) {
    long shardBytes = Engine.shardBytesFor(entries, KEY_BYTES, VALUE_BYTES);
    this.engine = Engine.builder().poolBytes(shardBytes + (1 << 20)).threads(1).build();
    try {
      this.cache = engine.createCache(CacheOptions.builder("hitrate")
          .maxKeyBytes(KEY_BYTES)
          .maxValueBytes(VALUE_BYTES)
          .shardBytes(shardBytes)
          .baseShards(1)
          .leaseTtl(Duration.ofMinutes(10))
          .build());
      this.capacity = cache.stats().block().capacity();
    } catch (RuntimeException e) {
      engine.close().block();
      throw e;
    }
  }

  @Override
  public String name() {
    return "tidecache";
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public boolean access(long k) {
    for (int i = KEY_BYTES - 1; i >= 0; i--) {
      key[i] = (byte) k;
      k >>>= 8;
    }
    if (cache.get(key).block() != null) {
      return true;
    }
    cache.put(key, VALUE).block();
    puts++;
    return false;
  }

  /**
   * The engine's own counters. A shard publishes its writer's tallies once per turn of its engine
   * thread, so they may trail the last acknowledged puts for a moment: this polls (up to
   * {@link #SETTLE_NANOS}) until the engine has counted every put this replay issued.
   */
  @Override
  public String counters() {
    long deadline = System.nanoTime() + SETTLE_NANOS;
    CacheStats s = cache.stats().block();
    while (s.puts() < puts && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
      s = cache.stats().block();
    }
    return String.format("engine counted hits %,d, misses %,d, puts %,d of %,d issued, "
        + "evictions %,d (admission refusals included), entries %,d / %,d", s.hits(),
        s.misses(), s.puts(), puts, s.evictions(), s.entries(), s.capacity());
  }

  @Override
  public void close() {
    engine.close().block();
  }
}
