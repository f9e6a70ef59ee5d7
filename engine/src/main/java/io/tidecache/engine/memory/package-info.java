/**
 * Memory leases: {@link io.tidecache.engine.memory.MemoryPool}, a budget of off-heap bytes, hands
 * out {@link io.tidecache.engine.memory.MemLease}s, each one shared {@code Arena} with a deadline
 * on the pool's clock; a lease released or expired unrenewed closes its arena at once and gives
 * its bytes back. The pool tells a listener of every lease event and knows nothing of caches,
 * shards or tables.
 */
package io.tidecache.engine.memory;
