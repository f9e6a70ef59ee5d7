package io.tidecache.engine;

import io.micrometer.core.instrument.Timer;
import io.tidecache.api.TideCacheException;
import io.tidecache.engine.table.KeyHash;
import io.tidecache.engine.table.ShardTable;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe (stateless but for its set): the one optimistic read of a get, on the caller's
 * thread, across whatever routing is in place.
 *
 * <p>Implementation notes. A read loads one {@link Routing} snapshot, reads the key's home shard
 * ({@link Shard#readOptimistic}: a seqlock read of the bucket, no lock, no queue), and is valid
 * only if the snapshot did not change meanwhile; otherwise it starts over, up to
 * {@link #ATTEMPTS} times, then gives up with {@link ShardTable#CONTENDED} and the get goes
 * through the home shard's queue. During a rehash a moving key is looked for at its home, then at
 * its destination: a copy still at its home is current (the home moves a key before it runs any
 * operation on it, so no write since the move began has bypassed that copy), and once moved, the
 * destination applies every later write before answering it, so a copy there is current too.
 * Found in neither, the key is in flight or absent, and only the home can tell: CONTENDED. So a
 * reader that began before a key moved never reports a false miss.
 */
final class OptimisticRead {
  static final int ATTEMPTS = 4;
  private final ElasticShardSet set;

  OptimisticRead(ElasticShardSet set) {
    this.set = set;
  }

  /** The value, null for a miss, or CONTENDED when the get must go through the queue. */
  byte[] read(byte[] key, long hash) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Routing r = set.routing();
      int home = r.home(hash);
      Shard shard = r.shards[home];
      byte[] found = shard.readOptimistic(key, hash);
      if (found == null && !r.settled(hash, home)) {
        shard = r.shards[r.dest(hash)];
        found = shard.readOptimistic(key, hash);
        if (found == null) {
          found = ShardTable.CONTENDED;
        }
      }
      if (set.routing() != r) {
        continue;
      }
      if (found == null) {
        shard.misses.increment();
      } else if (found != ShardTable.CONTENDED) {
        shard.hits.increment();
      }
      return found;
    }
    return ShardTable.CONTENDED;
  }

  /**
   * {@link #read} into the caller's array, allocating nothing: the length (value copied when it
   * fits), {@link ShardTable#ABSENT}, or {@link ShardTable#BUSY} when the queue must serve it.
   */
  int readInto(byte[] key, long hash, byte[] into) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Routing r = set.routing();
      int home = r.home(hash);
      Shard shard = r.shards[home];
      int n = shard.readOptimisticInto(key, hash, into);
      if (n == ShardTable.ABSENT && !r.settled(hash, home)) {
        shard = r.shards[r.dest(hash)];
        n = shard.readOptimisticInto(key, hash, into);
        if (n == ShardTable.ABSENT) {
          n = ShardTable.BUSY;
        }
      }
      if (set.routing() != r) {
        continue;
      }
      if (n == ShardTable.ABSENT) {
        shard.misses.increment();
      } else if (n >= 0) {
        shard.hits.increment();
      }
      return n;
    }
    return ShardTable.BUSY;
  }

  /** {@link io.tidecache.api.ElasticCache#getIfPresent(byte[])}: see there. */
  byte[] getIfPresent(byte[] key) {
    TideCacheException bad = RequestChecks.key(set.options(), key);
    if (bad != null) {
      throw bad;
    }
    byte[] v = read(key, KeyHash.hash(key));
    return v != ShardTable.CONTENDED ? v : set.get(key).block(); // the writer must serve it
  }

  /** {@link io.tidecache.api.ElasticCache#getIfPresent(byte[], byte[])}: see there. */
  int getIfPresent(byte[] key, byte[] into) {
    Objects.requireNonNull(into, "into");
    TideCacheException bad = RequestChecks.key(set.options(), key);
    if (bad != null) {
      throw bad;
    }
    int n = readInto(key, KeyHash.hash(key), into);
    if (n != ShardTable.BUSY) {
      return n;
    }
    byte[] v = set.get(key).block(); // the rare read the shard's writer must serve
    if (v == null) {
      return ShardTable.ABSENT;
    }
    if (v.length <= into.length) {
      System.arraycopy(v, 0, into, 0, v.length);
    }
    return v.length;
  }

  /** Records a sampled optimistic get's latency against the key's home shard. */
  void recordLatency(long hash, long nanos) {
    Routing r = set.routing();
    Timer t = r.shards[r.home(hash)].timers.get();
    if (t != null) {
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
