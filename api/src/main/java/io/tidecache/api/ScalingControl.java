package io.tidecache.api;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: grows and shrinks one elastic cache at run time. The autoscaler drives a cache
 * through this interface only, so it can be tested against a fake.
 *
 * <p>Shards {@code 0 .. baseShards-1} are always present. {@link #addShard()} leases memory for a
 * new last shard and {@link #removeShard()} marks the last extra shard for removal; neither moves
 * an entry. {@link #rehash()} then moves, in the background and in bounded chunks, the entries
 * whose owner changed, while reads and writes go on; when it completes, the new shards serve and
 * the removed ones have released their leases. At most one rehash runs at a time.
 */
public interface ScalingControl {

  /** The cache this controls. */
  String cache();

  /** Shards that own keys now (before a pending change takes effect). */
  int shards();

  /** Shards that can never be removed. */
  int baseShards();

  /** Bytes leased per shard. */
  long shardBytes();

  /** True while a rehash runs. */
  boolean rehashing();

  /**
   * Leases a new last shard; emits the shard count that the next {@link #rehash()} brings
   * about. Fails with {@link PoolExhausted} (nothing changed) when the pool cannot lease it.
   */
  Mono<Integer> addShard();

  /**
   * Marks the last extra shard for removal; emits the shard count after the next rehash. Fails
   * with {@link InvalidRequest} at the base size (nothing changed).
   */
  Mono<Integer> removeShard();

  /**
   * Moves the entries whose owner changed since the last rehash. Emits progress while it runs and
   * completes when the move is done (at once when nothing is pending). Fails with
   * {@link InvalidRequest} when another rehash is running.
   */
  Flux<RehashProgress> rehash();

  /** The signals an autoscaler samples, now. */
  Mono<ScalingSignals> signals();

  /** This cache's events (shards, rehash, leases) as a hot stream; no replay. */
  Flux<CacheEvent> events();
}
