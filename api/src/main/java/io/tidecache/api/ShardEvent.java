package io.tidecache.api;

/**
 * Immutable: something happened to a shard or to the shard set of an elastic cache.
 *
 * <ul>
 *   <li>{@link ShardAdded}: a shard was leased and is online (it owns keys after the rehash);
 *   <li>{@link ShardRemoved}: a shard gave its entries away and released its lease;
 *   <li>{@link RehashStarted}, {@link RehashCompleted}: a rehash began and ended (progress in
 *       between is {@link RehashProgress});
 *   <li>{@link ShardLost}: a shard's lease expired unrenewed; its entries are gone (counted) and
 *       it is rebuilt on a fresh lease.
 * </ul>
 */
public sealed interface ShardEvent extends CacheEvent {

  String cache();

  long atMillis();

  record ShardAdded(String cache, int shard, long leaseId, long bytes, long atMillis)
      implements ShardEvent {}

  record ShardRemoved(String cache, int shard, long bytesReleased, long atMillis)
      implements ShardEvent {}

  record RehashStarted(String cache, int fromShards, int toShards, long atMillis)
      implements ShardEvent {}

  record RehashCompleted(String cache, int fromShards, int toShards, long entriesMoved,
      long durationMillis, long atMillis) implements ShardEvent {}

  record ShardLost(String cache, int shard, long leaseId, long entriesLost, long atMillis)
      implements ShardEvent {}
}
