package io.tidecache.api;

/** Immutable: an event of the cache's life (leases now; shards, rehash and scaling later). */
public sealed interface CacheEvent permits LeaseEvent, ShardEvent, RehashProgress, ScaleDecision {}
