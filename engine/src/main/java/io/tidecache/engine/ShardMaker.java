package io.tidecache.engine;

import io.micrometer.core.instrument.Meter;
import io.tidecache.api.ShardEvent;
import io.tidecache.engine.memory.MemLease;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thread-safe: makes the shards of one elastic shard set (a lease, a shard on the least loaded
 * engine thread, its meters) and unmakes them (meters removed; the shard closes or retires and
 * releases its lease itself).
 */
final class ShardMaker {
  private final ElasticShardSet set;
  private final EngineContext engine;
  private final Map<Shard, List<Meter>> meters = new ConcurrentHashMap<>();

  ShardMaker(ElasticShardSet set, EngineContext engine) {
    this.set = set;
    this.engine = engine;
  }

  /**
   * A new shard at {@code index} on a fresh lease, announced with {@link ShardEvent.ShardAdded}.
   *
   * @throws io.tidecache.api.PoolExhausted when the pool has no room (nothing is leased)
   */
  Shard newShard(int index) {
    MemLease lease = engine.pool().lease(set.options().shardBytes(), set.options().leaseTtl());
    Shard shard = null;
    try {
      shard = new Shard(set, index, lease, engine.threads().leastLoaded(),
          engine.metrics().timers(set.name(), index));
      meters.put(shard, engine.metrics().bind(shard));
    } catch (RuntimeException e) {
      if (shard != null) {
        discard(shard);
      }
      lease.release();
      throw e;
    }
    engine.publish(new ShardEvent.ShardAdded(set.name(), index, lease.id(), lease.bytes(),
        set.now()));
    return shard;
  }

  /** A shard that never owned anything (a lost race, a failed start): unbound and closed. */
  void discard(Shard shard) {
    unbind(shard);
    shard.close().subscribe();
  }

  /** Removes a shard's meters; false if they were gone already. */
  boolean unbind(Shard shard) {
    List<Meter> m = meters.remove(shard);
    if (m == null) {
      return false;
    }
    engine.metrics().unbind(m);
    return true;
  }

  /** Removes every shard's meters (the cache closed). */
  void unbindAll() {
    meters.values().forEach(engine.metrics()::unbind);
    meters.clear();
  }
}
