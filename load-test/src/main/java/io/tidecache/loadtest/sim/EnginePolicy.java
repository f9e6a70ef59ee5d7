package io.tidecache.loadtest.sim;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.engine.Engine;
import java.time.Duration;

/**
 * Not thread-safe (one replaying thread): tidecache as the server runs it, an embedded engine
 * (one engine thread) with one cache of ONE shard whose capacity is the listed number of entries
 * rounded down to a multiple of 16 ({@link Engine#shardBytesFor}); the simulator's
 * {@code engine} column, beside {@link TablePolicy}'s deterministic replay of the same table.
 *
 * <p>An access is {@code get}; on a miss, {@code put}, and the replay waits for the put to
 * complete ({@code block()}: this is a command, not an engine thread) before the next access, so
 * the order of operations is the trace's. Keys are the trace's integers as 8 big-endian bytes;
 * every value is one byte.
 *
 * <p>The replay is sequential but not repeatable: a hit completes on the caller's thread and is
 * recorded in the shard's lossy read buffer (512 records per stripe; the record that fills it to
 * half wakes a parked engine thread), which the engine thread drains whenever it runs a turn.
 * Hits run back to back while the engine thread may be parked or busy, so the sketch, the
 * access stamps and the window sizer learn of a hit late, out of order with the puts, or not at
 * all when a ring is full: the server's read path at full speed. The difference from
 * {@link TablePolicy} on the same trace is what that path costs.
 */
final class EnginePolicy implements ReplayPolicy {
  static final int KEY_BYTES = Long.BYTES;
  static final int VALUE_BYTES = 1;
  private static final byte[] VALUE = {1};

  private final Engine engine;
  private final ElasticCache cache;
  private final long capacity;
  private final byte[] key = new byte[KEY_BYTES];
  private long puts;

  EnginePolicy(int entries) {
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
    return "engine";
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
   * The engine's own counters, read once (no wait): a shard publishes its writer's tallies once
   * per turn of its engine thread, so they may trail the last put by that turn; puts that
   * admission refused are not counted as stored puts.
   */
  @Override
  public String counters() {
    CacheStats s = cache.stats().block();
    return String.format("engine counted hits %,d, misses %,d, puts stored %,d of %,d issued, "
        + "evictions %,d (admission refusals included), entries %,d / %,d", s.hits(),
        s.misses(), s.puts(), puts, s.evictions(), s.entries(), s.capacity());
  }

  @Override
  public void close() {
    engine.close().block();
  }
}
