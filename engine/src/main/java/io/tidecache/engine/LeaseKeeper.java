package io.tidecache.engine;

import io.tidecache.api.TideCacheException;
import io.tidecache.engine.memory.MemLease;
import io.tidecache.engine.table.ShardTable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.Disposable;

/**
 * Renewals on the engine's timer, everything else single writer (the shard's engine thread):
 * keeps one shard's lease alive, notices its loss, and rebuilds the shard's table on a fresh one.
 *
 * <p>Implementation notes. The owner renews every third of the lease TTL, from the engine's
 * clock: by default a timer thread of the engine's own ({@link MonotonicClock}), so the
 * application's busy tasks cannot starve it. Renewal is one-shot tasks, each scheduling the next,
 * rather than a periodic task: a shard closes or retires on its engine thread, and cancelling a
 * task there removes it from the scheduler's queue under that queue's lock, which Reactor (and
 * its BlockHound integration) treats as non-blocking for one-shot tasks only. Whatever a renewal
 * meets (a lost lease, a listener that throws), the chain goes on.
 *
 * <p>In-process leases exist for the crash case (a pool shared with other processes, or remote
 * memory, where a dead holder's memory must come back by itself); a live holder should not lose
 * one, and with renewals on their own thread only a process that stops running for a whole TTL
 * does. If it happens anyway (the lease expired, or was released behind the shard's back), the
 * entries are gone: the loss is counted and reported once, and the table is rebuilt on a fresh
 * lease at once, or every {@link #REBUILD_RETRY_MILLIS} while the pool has no room.
 */
final class LeaseKeeper {
  static final long REBUILD_RETRY_MILLIS = 100;

  private final Shard shard;
  private final ShardOwner owner;
  private final long renewEveryMillis;
  /** The next renewal: a one-shot task that schedules the one after it. */
  private volatile Disposable renewal;
  private volatile boolean stopped;
  final LongAdder losses = new LongAdder();
  /** Renewals the clock refused to schedule (it was shut down). */
  final LongAdder renewalsRefused = new LongAdder();

  // Writer-only state.
  private boolean dead;
  private long nextRebuild;

  LeaseKeeper(Shard shard, ShardOwner owner) {
    this.shard = shard;
    this.owner = owner;
    this.renewEveryMillis = Math.max(1, owner.options().leaseTtl().toMillis() / 3);
  }

  /** True while the lease is lost and not yet rebuilt (writer only). */
  boolean dead() {
    return dead;
  }

  void startRenewals() {
    scheduleRenewal();
  }

  /** Stops renewing (the shard is closing or retiring, and releases the lease itself). */
  void stopRenewals() {
    stopped = true;
    Disposable r = renewal;
    if (r != null) {
      r.dispose();
    }
  }

  private void scheduleRenewal() {
    if (stopped) {
      return;
    }
    try {
      renewal = owner.clock().schedule(() -> {
        try {
          renew();
        } finally {
          scheduleRenewal();
        }
      }, renewEveryMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException clockGone) {
      // The clock is shut down (the engine is closing): no more renewals. The lease lapses at
      // its deadline unless the shard closes first, as it does when the engine closes.
      renewalsRefused.increment();
    }
  }

  private void renew() {
    if (stopped) {
      return;
    }
    try {
      shard.lease.renew(owner.options().leaseTtl());
    } catch (TideCacheException lost) {
      shard.wake(); // the writer notices at its next turn
    }
  }

  /** Writer only, at the start of each turn: recovers a lost lease; returns work done. */
  int check() {
    return dead || !shard.lease.isLive() ? recover() : 0;
  }

  /**
   * Writer only: counts a lost lease once, tells the shard, and rebuilds its table on a fresh
   * lease; retries every {@link #REBUILD_RETRY_MILLIS} while the pool is empty. Returns work
   * done (1 when rebuilt).
   */
  int recover() {
    if (shard.terminal()) {
      return 0;
    }
    long now = owner.now();
    if (!dead) {
      dead = true;
      losses.increment();
      owner.shardLost(shard, shard.lease.id(), shard.table.entries());
      nextRebuild = now;
      shard.leaseLost();
    }
    if (now < nextRebuild) {
      return 0;
    }
    nextRebuild = now + REBUILD_RETRY_MILLIS;
    shard.lease.release();
    try {
      MemLease fresh = owner.pool().lease(owner.options().shardBytes(),
          owner.options().leaseTtl());
      shard.table = new ShardTable(fresh.segment(), owner.layout());
      shard.lease = fresh;
      dead = false;
      shard.tableRebuilt();
      return 1;
    } catch (TideCacheException poolEmpty) {
      return 0;
    }
  }
}
