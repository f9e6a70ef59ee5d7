/**
 * The embedded tidecache engine: {@link io.tidecache.engine.Engine} and the elastic shard sets it
 * serves as {@link io.tidecache.api.ElasticCache}s.
 *
 * <p>A map of the package, top down. {@code Engine} owns one memory pool, the engine threads, a
 * clock ({@code MonotonicClock} by default) and the named caches. A cache is an
 * {@code ElasticShardSet}: its data plane (argument checks in {@code RequestChecks}, gets through
 * {@code OptimisticRead}, operations as {@code ShardMono}/{@code ShardOp}), its control plane
 * ({@code Resizer}: add, remove, rehash, the {@code Routing} snapshot), its scan
 * ({@code RegionScan}, kept consistent by {@code MoveFences}) and its figures ({@code Tallies},
 * {@code CacheTallies}, {@code EngineMetrics}). Its shards ({@code Shard}, made by
 * {@code ShardMaker}) see it only as their {@code ShardOwner}; each shard is a mailbox
 * ({@code ShardMailbox}), an executor of the tasks taken from it ({@code ShardExecutor}), a lease
 * keeper ({@code LeaseKeeper}) and, during a rehash ({@code Rehash}), a migration source
 * ({@code MigrationSource}). Events go out on {@code EventBus}, whose subscribers are isolated
 * from each other ({@code SerializedSink}, {@code IsolatedSubscriber}).
 *
 * <p>Below this package, and never calling back up ({@code EngineLayersTest} fails the build on
 * an arrow the wrong way): {@link io.tidecache.engine.memory} (the pool and its leases),
 * {@link io.tidecache.engine.table} (the off-heap table and its eviction policy) and
 * {@link io.tidecache.engine.worker} (the engine threads and the duties they run).
 */
package io.tidecache.engine;
