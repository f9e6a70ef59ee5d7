package io.tidecache.engine;

import io.micrometer.core.instrument.Meter;
import io.tidecache.api.ShardEvent;
import io.tidecache.engine.memory.MemLease;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thread-safe: makes the shards of one elastic shard set (a lease, a shard on the least loaded
 * engine thread) and unmakes them (meters removed; the shard closes or retires and releases its
 * lease itself).
 *
 * <p>Design note. Two callers may add a shard at once (an autoscaler and an operator, say); both
 * build a shard for the same index and only one wins the control state's compare-and-set. A
 * shard's meters are named by its index, so binding them before the race is decided let the
 * loser's registration fall on the winner's meters, and the loser's clean-up then removed the
 * winner's (a racing soak showed a shard's meters "already registered"). So a shard is made
 * first and {@link #adopt adopted} (meters bound, {@link ShardEvent.ShardAdded} published) only
 * once it has won.
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
   * A new shard at {@code index} on a fresh lease, not yet adopted (see the class notes).
   *
   * @throws io.tidecache.api.PoolExhausted when the pool has no room (nothing is leased)
   */
  Shard newShard(int index) {
    MemLease lease = engine.pool().lease(set.options().shardBytes(), set.options().leaseTtl());
    try {
      return new Shard(set, index, lease, engine.threads().leastLoaded(),
          engine.metrics().timers(set.name(), index));
    } catch (RuntimeException e) {
      lease.release();
      throw e;
    }
  }

  /** The shard is the cache's now: its meters are bound and its arrival published. */
  void adopt(Shard shard) {
    meters.put(shard, engine.metrics().bind(shard));
    engine.publish(new ShardEvent.ShardAdded(set.name(), shard.index, shard.lease.id(),
        shard.lease.bytes(), set.now()));
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
