package io.tidecache.engine;

import io.tidecache.engine.table.ShardTable;

/**
 * Immutable: the monotonic tallies of one shard, or of several summed. The cache's totals are the
 * live shards' tallies plus those of the shards it removed; see
 * {@link ElasticShardSet#foldAndUnbind} and {@link ElasticShardSet#shardRetired}.
 */
record Tallies(long hits, long misses, long puts, long removes, long evictions,
    long expirations, long refusals) {

  static final Tallies ZERO = new Tallies(0, 0, 0, 0, 0, 0, 0);

  /** The shard's tallies now (each read is a plain snapshot; any thread). */
  static Tallies of(Shard s) {
    ShardTable t = s.table;
    return new Tallies(s.hits.sum(), s.misses.sum(), s.puts(), s.removes(), t.evictions(),
        t.expirations(), s.refusals().sum());
  }

  Tallies plus(Tallies o) {
    return new Tallies(hits + o.hits, misses + o.misses, puts + o.puts, removes + o.removes,
        evictions + o.evictions, expirations + o.expirations, refusals + o.refusals);
  }

  Tallies minus(Tallies o) {
    return new Tallies(hits - o.hits, misses - o.misses, puts - o.puts, removes - o.removes,
        evictions - o.evictions, expirations - o.expirations, refusals - o.refusals);
  }
}
