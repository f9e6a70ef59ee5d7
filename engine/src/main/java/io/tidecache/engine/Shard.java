package io.tidecache.engine;

import io.micrometer.core.instrument.Timer;
import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.LeaseExpired;
import io.tidecache.api.Overloaded;
import io.tidecache.api.TideCacheException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Thread-safe front, single writer inside: any thread submits operations; exactly one engine
 * thread (its {@link EngineWorker}) runs them against the shard's {@link ShardTable}.
 *
 * <p>Implementation notes.
 *
 * <p><b>Queues.</b> Client operations arrive through a bounded JCTools {@link MpscArrayQueue}; a
 * full queue refuses at once with {@link Overloaded} (counted), so memory never grows without
 * bound. Shard-to-shard traffic (forwarded operations, entries handed over by a rehash, barriers)
 * arrives through a separate unbounded MPSC inbox, drained first: a shard's writer must never
 * wait for another shard's writer, or two shards forwarding to each other could deadlock. The
 * inbox is bounded in practice: forwarded operations come out of bounded client queues, and a
 * rehash source pauses while a destination's inbox is above {@link #INBOX_HIGH_WATER}.
 *
 * <p><b>Routing and rehash.</b> Every operation is checked against the set's current
 * {@link Routing} when it runs, not when it was submitted. The home shard of a key is its
 * serialization point: while a rehash runs and the key's destination differs, the home moves the
 * key on first touch (hands its entry to the destination, deletes it here) and forwards the
 * operation, in order, behind it. A destination runs a forwarded operation itself; any shard that
 * receives an operation it neither owns nor was forwarded sends it to the key's home (a stale
 * route). As a rehash source, the writer also scans up to {@link #MIGRATE_BUCKETS} buckets per
 * turn and hands over the entries that move; at the end it sends a barrier to each destination,
 * and the set publishes the new routing when every barrier has been passed.
 *
 * <p><b>Pacing.</b> A rehash is background work: it must not take the engine thread (or, on a
 * small machine, the CPU) away from client operations. A turn moves at most
 * {@link #MIGRATE_ENTRIES} entries, and after each chunk the source rests
 * {@link #MIGRATE_REST} times as long as the chunk took, so the migration uses at most a quarter
 * of its thread; the worker parks until the next chunk is due when nothing else is queued. A
 * destination applies at most {@link #INBOX_BATCH} handed-over entries per turn, and a source
 * waits while a destination's inbox is above {@link #INBOX_HIGH_WATER}, so an operation
 * forwarded behind them waits for a bounded amount of work.
 *
 * <p><b>Closing and retiring.</b> CLOSING lets queued work finish, then CLOSED fails anything
 * that raced in with {@link CacheClosed} and releases the lease. RETIRED (a shard removed by a
 * rehash) forwards what is left to its keys' homes and releases the lease. A producer re-reads
 * the state after its offer; if the shard left OPEN meanwhile, it takes its operation back
 * ({@link ShardTask#take()}) and fails or re-routes it, so nothing is stranded in a dead queue.
 *
 * <p><b>Lost lease.</b> If the lease expires unrenewed, the entries are gone: the loss is counted
 * and published, operations caught in it miss or are dropped (best effort) or fail with
 * {@link LeaseExpired} (fail-closed), and the shard is rebuilt at once on a fresh lease.
 */
final class Shard {
  static final int BATCH = 256;
  static final int INBOX_BATCH = 256;
  static final int MIGRATE_BUCKETS = 16;
  /** Most entries a rehash source hands over per turn. */
  static final int MIGRATE_ENTRIES = 64;
  static final int INBOX_HIGH_WATER = 512;
  /**
   * A rehash source rests this many times as long as its last chunk took before the next one,
   * so the migration takes at most 1 / (1 + MIGRATE_REST) of its engine thread and leaves the
   * rest (and the CPU) to client operations.
   */
  static final int MIGRATE_REST = 3;
  /** Fewest buckets swept per interval; large shards sweep more (a full pass every ~2 s). */
  static final int SWEEP_BUCKETS = 64;
  static final int SWEEP_PASS_INTERVALS = 20;
  static final long SWEEP_INTERVAL_MILLIS = 100;
  static final long REBUILD_RETRY_MILLIS = 100;

  private static final int OPEN = 0;
  private static final int CLOSING = 1;
  private static final int CLOSED = 2;
  private static final int RETIRED = 3;
  private static final AtomicIntegerFieldUpdater<Shard> STATE =
      AtomicIntegerFieldUpdater.newUpdater(Shard.class, "state");

  final ElasticShardSet set;
  final String cache;
  final int index;
  final TableLayout layout;
  private final MpscArrayQueue<ShardOp> queue;
  private final MpscUnboundedXaddArrayQueue<ShardTask> inbox =
      new MpscUnboundedXaddArrayQueue<>(1024);
  final ReadBuffer reads;
  private final EngineWorker worker;
  private final Overloaded overloaded;
  /** The next lease renewal: a one-shot task that schedules the one after it. */
  private volatile Disposable renewal;
  private final long renewEveryMillis;
  private final Sinks.Empty<Void> closed = Sinks.empty();
  private volatile int state = OPEN;
  volatile MemLease lease;
  volatile ShardTable table;
  volatile Timer getLatency;
  volatile Timer putLatency;
  volatile Timer removeLatency;
  /** This shard's tallies when its set folded them into its totals (a removed shard), or null. */
  volatile Tallies folded;

  // Writer-only state.
  private boolean dead;
  private long nextRebuild;
  private long nextSweep;
  private final int sweepBuckets;
  private Rehash migration;
  private int migrateCursor;
  private final ChunkMover mover = new ChunkMover();
  private long migrateDueNanos;

  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder refusals = new LongAdder();
  final LongAdder leaseLosses = new LongAdder();
  final LongAdder dropped = new LongAdder();
  /** Lease renewals the clock refused to schedule (it was shut down). */
  final LongAdder renewalsRefused = new LongAdder();
  /** Exceptions thrown by subscribers from signals delivered on this shard's thread. */
  final LongAdder subscriberFailures = new LongAdder();
  private long puts;
  private long removes;
  private volatile long publishedPuts;
  private volatile long publishedRemoves;

  Shard(ElasticShardSet set, int index, MemLease lease, EngineWorker worker) {
    this.set = set;
    this.cache = set.name();
    this.index = index;
    this.layout = set.layout();
    this.lease = lease;
    this.table = new ShardTable(lease.segment(), layout);
    this.queue = new MpscArrayQueue<>(set.options().queueCapacity());
    this.sweepBuckets = Math.max(SWEEP_BUCKETS, layout.buckets / SWEEP_PASS_INTERVALS);
    this.worker = worker;
    this.reads = new ReadBuffer(worker::wake);
    this.overloaded = new Overloaded("queue of shard " + index + " of cache '" + cache + "'",
        set.options().queueCapacity());
    this.renewEveryMillis = Math.max(1, set.options().leaseTtl().toMillis() / 3);
    scheduleRenewal();
    worker.add(this);
  }

  // ------------------------------------------------------------------ any thread

  /**
   * An optimistic read on the caller's thread: the value, null for a miss, or
   * {@link ShardTable#CONTENDED} whenever the read must go through the queue instead (bucket
   * contended, lease lost or past its deadline, shard no longer open). Never throws.
   */
  byte[] readOptimistic(byte[] key, long hash) {
    if (state != OPEN) {
      return ShardTable.CONTENDED;
    }
    long now = set.now();
    if (!lease.liveAt(now)) {
      return ShardTable.CONTENDED;
    }
    try {
      return table.read(key, hash, now, reads);
    } catch (IllegalStateException memoryGone) {
      return ShardTable.CONTENDED;
    }
  }

  /** Offers a client operation; refuses it when the queue is full. */
  void submit(ShardOp op) {
    for (;;) {
      int s = state;
      if (s == RETIRED) {
        set.submit(op);
        return;
      }
      if (s != OPEN) {
        op.fail(new CacheClosed(cache));
        return;
      }
      if (!queue.offer(op)) {
        refusals.increment();
        op.fail(overloaded);
        return;
      }
      worker.wake();
      if (state != OPEN && state != CLOSING && op.take()) {
        op.untake();
        continue;
      }
      return;
    }
  }

  /** Offers shard-to-shard traffic; never refused (see the class notes). */
  void deliver(ShardTask task) {
    for (;;) {
      int s = state;
      if (s == RETIRED && task instanceof ShardOp op) {
        op.forwarded = false;
        set.submit(op);
        return;
      }
      if (s == CLOSED || s == RETIRED) {
        if (task.take()) {
          task.abandon(new CacheClosed(cache));
        }
        return;
      }
      inbox.offer(task);
      worker.wake();
      s = state;
      if ((s == CLOSED || s == RETIRED) && task.take()) {
        task.untake();
        continue;
      }
      return;
    }
  }

  /** The live entries of buckets {@code [from, to)} of this shard's table, read on its thread. */
  Mono<List<CacheEntry<byte[], byte[]>>> scan(int from, int to) {
    return Mono.create(sink -> deliver(new InternalTask.ScanRegion(from, to, sink)));
  }

  int inboxDepth() {
    return inbox.size();
  }

  /** Finishes queued operations, then releases the lease; completes when done. Idempotent. */
  Mono<Void> close() {
    if (STATE.compareAndSet(this, OPEN, CLOSING)) {
      worker.wake();
    }
    return closed.asMono();
  }

  int queueDepth() { return queue.size(); }

  long puts() { return publishedPuts; }

  long removes() { return publishedRemoves; }

  boolean isOpen() { return state == OPEN; }

  boolean hasWork() {
    return !queue.isEmpty() || !inbox.isEmpty() || state == CLOSING || !reads.isEmpty()
        || (migration != null && System.nanoTime() - migrateDueNanos >= 0);
  }

  /** When this shard's next rehash chunk is due (System.nanoTime()), or Long.MAX_VALUE. */
  long migrationDue() {
    return migration != null ? migrateDueNanos : Long.MAX_VALUE;
  }

  long capacity() {
    return layout.capacity();
  }

  // ------------------------------------------------------------------ engine thread only

  /** One turn of the writer: returns the amount of work done (0 means idle). */
  int doWork() {
    int s = state;
    if (s == CLOSED || s == RETIRED) {
      return 0;
    }
    int work = 0;
    if (dead || !lease.isLive()) {
      work += recoverLease();
    }
    work += reads.drainTo(table);
    ShardTask task;
    int n = 0;
    while (n < INBOX_BATCH && state != RETIRED && (task = inbox.relaxedPoll()) != null) {
      if (task.take()) {
        runIsolated(task);
      }
      n++;
    }
    int m = 0;
    while (m < BATCH && state != RETIRED && (task = queue.relaxedPoll()) != null) {
      if (task.take()) {
        runIsolated(task);
      }
      m++;
    }
    work += n + m;
    if (state == RETIRED) {
      return work; // retired by a task of this turn: its lease is gone, touch nothing more
    }
    long now = set.now();
    if (!dead && migration != null) {
      long start = System.nanoTime();
      if (start - migrateDueNanos >= 0) {
        try {
          work += migrateChunk(now);
        } catch (IllegalStateException memoryGone) {
          work += recoverLease();
        } catch (RuntimeException fault) {
          failMigration(fault);
        }
        long end = System.nanoTime();
        migrateDueNanos = end + (end - start) * MIGRATE_REST;
      }
    }
    if (dead && migration != null) {
      work += endScanOfLostTable();
    }
    if (!dead && now >= nextSweep) {
      nextSweep = now + SWEEP_INTERVAL_MILLIS;
      try {
        work += table.sweep(sweepBuckets, now);
      } catch (IllegalStateException memoryGone) {
        work += recoverLease();
      } catch (RuntimeException fault) {
        set.engineFault(this, "an expiry sweep", fault); // tried again at the next interval
      }
    }
    table.publish();
    publishedPuts = puts;
    publishedRemoves = removes;
    if (s == CLOSING && queue.isEmpty() && inbox.isEmpty()) {
      finishClose();
    }
    return work;
  }

  /**
   * Runs one task so that nothing it triggers can cost the rest of the batch its answers: a
   * subscriber that throws from a signal (it runs on this thread) is reported to Reactor's
   * dropped-error hook and the batch goes on. JVM-fatal errors still propagate.
   */
  private void runIsolated(ShardTask task) {
    try {
      run(task);
    } catch (Throwable t) {
      subscriberFailed(t);
    }
  }

  /** Counts and reports an exception a subscriber threw on this thread; JVM-fatal ones escape. */
  private void subscriberFailed(Throwable t) {
    Exceptions.throwIfJvmFatal(t);
    subscriberFailures.increment();
    Operators.onErrorDropped(t, Context.empty());
  }

  private void run(ShardTask task) {
    switch (task) {
      case ShardOp op -> route(op);
      case InternalTask.MigrateIn in -> {
        long now = set.now();
        try {
          if (!dead && (in.expiresAt == 0 || in.expiresAt > now)) {
            table.put(in.key, in.hash, in.value, in.expiresAt, now, false);
          }
        } catch (IllegalStateException memoryGone) {
          recoverLease();
        } catch (RuntimeException fault) {
          set.engineFault(this, "to store an entry handed over by a rehash", fault);
        } finally {
          in.fences.finished(in.hash);
        }
      }
      case InternalTask.ScanRegion scan -> scan(scan);
      case InternalTask.Barrier b -> b.rehash.barrierPassed();
      case InternalTask.StartMigration sm -> {
        migration = sm.rehash;
        migrateCursor = 0;
      }
      case InternalTask.Retire r -> retire();
      default -> task.abandon(new IllegalStateException("unknown task " + task));
    }
  }

  /** Runs a client operation here, or sends it where the current routing says it belongs. */
  private void route(ShardOp op) {
    Routing r = set.routing();
    int home = r.home(op.hash);
    if (home != index) {
      if (op.forwarded && r.migrating() && r.dest(op.hash) == index) {
        execute(op);
      } else {
        op.forwarded = false;
        forward(op, r.shards[home]);
      }
      return;
    }
    if (r.migrating()) {
      int dest = r.dest(op.hash);
      if (dest != index) {
        if (!dead) {
          MoveFences fences = set.fences();
          fences.started(op.hash); // before the entry leaves this table: see MoveFences
          boolean handed = false;
          try {
            ShardTable.Extracted e = table.extract(op.key, op.hash, set.now());
            if (e != null) {
              forward(new InternalTask.MigrateIn(op.key, op.hash, e.value(), e.expiresAt(),
                  fences), r.shards[dest]);
              handed = true;
              set.movedOnTouch();
            }
          } catch (IllegalStateException memoryGone) {
            recoverLease();
          } finally {
            if (!handed) {
              fences.finished(op.hash);
            }
          }
        }
        op.forwarded = true;
        forward(op, r.shards[dest]);
        return;
      }
    }
    execute(op);
  }

  private void forward(ShardTask task, Shard to) {
    task.untake();
    to.deliver(task);
  }

  private void execute(ShardOp op) {
    if (dead) {
      answerLost(op);
      return;
    }
    long now = set.now();
    Object result;
    try {
      switch (op.opcode) {
        case ShardOp.GET -> {
          byte[] v = table.get(op.key, op.hash, now);
          (v == null ? misses : hits).increment();
          result = v;
        }
        case ShardOp.PUT -> {
          if (table.put(op.key, op.hash, op.value, expiresAt(now, op.ttlMillis), now, true)) {
            puts++; // a new key turned away by admission is counted as a rejection instead
          }
          result = null;
        }
        case ShardOp.REMOVE -> {
          boolean removed = table.remove(op.key, op.hash, now);
          if (removed) {
            removes++;
          }
          result = removed;
        }
        default -> throw new IllegalArgumentException("unknown opcode " + op.opcode);
      }
    } catch (IllegalStateException memoryGone) {
      recoverLease();
      answerLost(op);
      return;
    } catch (RuntimeException fault) {
      set.engineFault(this, "an operation", fault);
      op.fail(new IllegalStateException("shard " + index + " of cache '" + cache
          + "' failed an operation: " + fault, fault));
      return;
    }
    op.succeed(result, switch (op.opcode) {
      case ShardOp.GET -> getLatency;
      case ShardOp.PUT -> putLatency;
      default -> removeLatency;
    });
  }

  /** The expiry of an entry written at {@code now} with a TTL: 0 for none; saturated. */
  static long expiresAt(long now, long ttlMillis) {
    if (ttlMillis == 0) {
      return 0;
    }
    return now > Long.MAX_VALUE - ttlMillis ? Long.MAX_VALUE : now + ttlMillis;
  }

  /** Answers a scan's request for one region of this table (nothing while the lease is lost). */
  private void scan(InternalTask.ScanRegion scan) {
    List<CacheEntry<byte[], byte[]>> found = new ArrayList<>();
    if (!dead) {
      try {
        table.collect(scan.from, Math.min(scan.to, layout.buckets), set.now(), found);
      } catch (IllegalStateException memoryGone) {
        found.clear();
        recoverLease();
      } catch (RuntimeException fault) {
        set.engineFault(this, "a scan", fault);
        scan.answer.error(new IllegalStateException("shard " + index + " of cache '" + cache
            + "' failed a scan: " + fault, fault));
        return;
      }
    }
    scan.answer.success(found);
  }

  /** The answer to an operation caught by a lost lease: per the cache's policy. */
  private void answerLost(ShardOp op) {
    if (set.options().failClosed()) {
      op.fail(new LeaseExpired(lease.id(), "shard " + index + " of cache '" + cache
          + "' lost its lease and is being rebuilt"));
      return;
    }
    switch (op.opcode) {
      case ShardOp.GET -> {
        misses.increment();
        op.succeed(null, null);
      }
      case ShardOp.PUT -> {
        dropped.increment();
        op.succeed(null, null);
      }
      default -> op.succeed(Boolean.FALSE, null);
    }
  }

  /**
   * Hands over the entries of the next buckets that move; sends barriers after the last. A turn
   * scans at most {@link #MIGRATE_BUCKETS} buckets and stops early once it has moved
   * {@link #MIGRATE_ENTRIES}, so that client operations queued behind it wait for little.
   */
  private int migrateChunk(long now) {
    Seams.at("migrate.chunk", this);
    Rehash rehash = migration;
    Routing r = set.routing();
    for (int d : rehash.destinations(index)) {
      if (r.shards[d].inboxDepth() > INBOX_HIGH_WATER) {
        return 0;
      }
    }
    int end = Math.min(migrateCursor + MIGRATE_BUCKETS, layout.buckets);
    ShardTable t = table;
    mover.routing = r;
    long moved = 0;
    int b = migrateCursor;
    while (b < end && moved < MIGRATE_ENTRIES) {
      moved += t.migrateBucket(b++, now, mover);
    }
    mover.routing = null;
    int scanned = b - migrateCursor;
    rehash.progress(scanned, moved);
    migrateCursor = b;
    if (b == layout.buckets) {
      migration = null;
      for (int d : rehash.destinations(index)) {
        forward(new InternalTask.Barrier(rehash), r.shards[d]);
      }
    }
    return scanned + (int) moved;
  }

  /**
   * An unexpected exception in this source's part of a rehash: the rehash fails, loudly (its
   * subscribers get the error, the fault is counted and logged) and once; this shard stops
   * scanning for it. The routing stays migrating, which serves every key correctly (each moving
   * key is at its home or its destination), and a later {@code rehash()} runs it again.
   */
  private void failMigration(RuntimeException fault) {
    Rehash rehash = migration;
    migration = null;
    set.engineFault(this, "its part of the rehash " + rehash.from + " -> " + rehash.to, fault);
    rehash.fail(new IllegalStateException("shard " + index + " of cache '" + cache
        + "' failed its part of the rehash " + rehash.from + " -> " + rehash.to + ": " + fault,
        fault));
  }

  /**
   * A source whose lease is lost and cannot be rebuilt yet (the pool is empty) has nothing left
   * to hand over: its entries are gone, counted by the loss. It ends its scan at once, so that
   * the rehash, and every later resize of the cache, does not wait for memory to come back.
   */
  private int endScanOfLostTable() {
    Rehash rehash = migration;
    migration = null;
    Routing r = set.routing();
    rehash.progress(layout.buckets - migrateCursor, 0);
    for (int d : rehash.destinations(index)) {
      forward(new InternalTask.Barrier(rehash), r.shards[d]);
    }
    return 1;
  }

  /** The rehash source's mover, reused for every bucket (writer only). */
  private final class ChunkMover implements ShardTable.Mover {
    Routing routing;

    @Override
    public boolean moves(long hash) {
      return routing.dest(hash) != index;
    }

    @Override
    public void move(byte[] key, long hash, byte[] value, long expiresAt) {
      MoveFences fences = set.fences();
      fences.started(hash); // the entry is cleared from this table right after
      forward(new InternalTask.MigrateIn(key, hash, value, expiresAt, fences),
          routing.shards[routing.dest(hash)]);
    }
  }

  /** Counts a lost lease once and rebuilds the table on a fresh one; retries while the pool is empty. */
  private int recoverLease() {
    int s = state;
    if (s == RETIRED || s == CLOSED) {
      return 0;
    }
    long now = set.now();
    if (!dead) {
      dead = true;
      leaseLosses.increment();
      long lost = table.entries();
      set.shardLost(this, lease.id(), lost);
      nextRebuild = now;
      if (set.options().failClosed()) {
        failQueuedClientOps();
      }
    }
    if (now < nextRebuild) {
      return 0;
    }
    nextRebuild = now + REBUILD_RETRY_MILLIS;
    lease.release();
    try {
      MemLease fresh = set.pool().lease(set.options().shardBytes(), set.options().leaseTtl());
      table = new ShardTable(fresh.segment(), layout);
      lease = fresh;
      dead = false;
      if (migration != null) {
        migrateCursor = 0;
      }
      return 1;
    } catch (TideCacheException poolEmpty) {
      return 0;
    }
  }

  /** Fail-closed: operations submitted before the loss was seen may depend on what was lost. */
  private void failQueuedClientOps() {
    LeaseExpired lost = new LeaseExpired(lease.id(), "shard " + index + " of cache '" + cache
        + "' lost its lease; its entries are gone");
    ShardTask task;
    while ((task = queue.relaxedPoll()) != null) {
      if (task.take()) {
        try {
          task.abandon(lost);
        } catch (Throwable t) {
          subscriberFailed(t);
        }
      }
    }
  }

  private void retire() {
    state = RETIRED;
    drainTo(null);
    Disposable r = renewal;
    if (r != null) {
      r.dispose();
    }
    long bytes = lease.bytes();
    lease.release();
    worker.remove(this);
    set.shardRetired(this, bytes);
  }

  private void finishClose() {
    state = CLOSED;
    drainTo(new CacheClosed(cache));
    Disposable r = renewal;
    if (r != null) {
      r.dispose();
    }
    lease.release();
    worker.remove(this);
    closed.tryEmitEmpty();
  }

  /**
   * Fails (closing) or re-routes (retiring) everything still queued. Called right after the
   * terminal state is written, and drains with {@code poll()}, not {@code relaxedPoll()}: a
   * producer claims its slot (a full-fence CAS), stores its element (a release store) and then
   * re-reads the state; the element store may not be visible yet when this thread looks. With
   * {@code relaxedPoll()} a slot claimed but not yet filled reads as empty, and if the producer's
   * re-read still saw the old state (the store-buffering outcome a release store allows), the
   * operation would sit in a dead queue, never answered. {@code poll()} sees the claimed slot
   * and waits the few instructions until its element lands; a producer that claimed after this
   * thread's look sees the terminal state and takes its operation back.
   */
  private void drainTo(Throwable failure) {
    ShardTask task;
    while ((task = inbox.poll()) != null || (task = queue.poll()) != null) {
      if (!task.take()) {
        continue;
      }
      try {
        if (failure != null) {
          task.abandon(failure);
        } else if (task instanceof ShardOp op) {
          route(op);
        } else {
          task.abandon(new CacheClosed(cache));
        }
      } catch (Throwable t) {
        subscriberFailed(t);
      }
    }
  }

  /**
   * Schedules the next renewal. One-shot tasks, each scheduling the next, rather than a periodic
   * task: a shard closes or retires on its engine thread, and cancelling a task there removes it
   * from the scheduler's queue under that queue's lock. Reactor (and its BlockHound integration)
   * treats that short lock as non-blocking for one-shot tasks, which a cancelled task's thread
   * only ever holds for a queue removal; for periodic tasks it does not, and BlockHound stopped a
   * shard's close half way.
   */
  private void scheduleRenewal() {
    if (state == CLOSED || state == RETIRED) {
      return;
    }
    try {
      renewal = set.clock().schedule(() -> {
        try {
          renew(set.options().leaseTtl());
        } finally {
          scheduleRenewal(); // whatever renew() met, the chain goes on
        }
      }, renewEveryMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException clockGone) {
      // The engine's clock is shut down (the engine is closing): no more renewals. The lease
      // lapses at its deadline unless the shard is closed first, which it is when the engine
      // closes; an engine built on a clock someone else disposed loses its leases, visibly.
      renewalsRefused.increment();
    }
  }

  private void renew(Duration ttl) {
    if (state == CLOSED || state == RETIRED) {
      return;
    }
    try {
      lease.renew(ttl);
    } catch (TideCacheException lost) {
      worker.wake();
    }
  }
}
