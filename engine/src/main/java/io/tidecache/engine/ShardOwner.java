package io.tidecache.engine;

import io.tidecache.api.CacheOptions;
import io.tidecache.engine.memory.MemoryPool;
import io.tidecache.engine.table.TableLayout;
import reactor.core.scheduler.Scheduler;

/**
 * Thread-safe: what a {@link Shard} needs of the cache it belongs to, and what it reports back.
 * The shard set implements it; a shard sees nothing else of the set.
 *
 * <p>Design note. A shard used to call a dozen methods of the whole shard set (some thirty call
 * sites), so a change to the set could break a shard anywhere. This is the narrow waist between
 * them: the cache's constants, its clock, the routing of the moment and the way to send an
 * operation to its home, and the reports a shard owes its owner (a key moved, a lease lost, the
 * shard retired, a fault).
 */
interface ShardOwner {

  /** The cache's name. */
  String name();

  CacheOptions options();

  /** The layout every shard of the cache shares. */
  TableLayout layout();

  /** The cache's move counters, which scans read (see {@link MoveFences}). */
  MoveFences fences();

  /** Milliseconds on the engine's clock: the base of every TTL and lease deadline. */
  long now();

  /** The engine's clock and timer (lease renewals run on it). */
  Scheduler clock();

  /** The pool a lost lease is rebuilt from. */
  MemoryPool pool();

  /** The routing of the moment: one volatile read. */
  Routing routing();

  /** Sends a client operation to its home shard under the current routing. */
  void submit(ShardOp op);

  /** A key of a running rehash moved on first touch rather than with its bucket. */
  void movedOnTouch();

  /** The shard's lease was lost with {@code entriesLost} entries in it (once per loss). */
  void shardLost(Shard shard, long leaseId, long entriesLost);

  /** A removed shard handed back its lease of {@code bytes} (on its own thread). */
  void shardRetired(Shard shard, long bytes);

  /**
   * An unexpected exception on the shard's thread; the shard fails the operation, scan or rehash
   * it belonged to, the owner counts and logs it.
   */
  void engineFault(Shard shard, String what, Throwable fault);
}
