package io.tidecache.engine;

import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.LeaseExpired;
import io.tidecache.engine.memory.MemLease;
import io.tidecache.engine.table.ReadBuffer;
import io.tidecache.engine.table.ShardTable;
import io.tidecache.engine.table.TableLayout;
import io.tidecache.engine.worker.Duty;
import io.tidecache.engine.worker.EngineWorker;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Thread-safe front, single writer inside: any thread submits operations through its
 * {@link ShardMailbox}; exactly one engine thread (its {@link EngineWorker}, running it as a
 * {@link Duty}) runs them against the shard's {@link ShardTable}.
 *
 * <p>Implementation notes.
 *
 * <p><b>Routing and rehash.</b> Operations are routed when they run ({@link ShardExecutor});
 * as a rehash source the shard also scans its table in paced chunks ({@link MigrationSource}).
 *
 * <p><b>One boundary for faults.</b> A turn runs inside one {@code try}: whatever it throws is
 * sorted there, in {@link #turnFailed}. If the table's memory is gone (its lease expired or was
 * released: {@link ShardTable#lost} is the one test), the {@link LeaseKeeper} counts the loss and
 * rebuilds, and the task in hand is answered as a lost lease answers (miss, drop or
 * {@link LeaseExpired}, per the cache's policy). Anything else is a fault: counted and logged by
 * the owner, and the task in hand, or the rehash chunk, fails with it, once. Either way the tasks
 * still queued run at the next turn, so every operation is answered and nothing loops. A
 * subscriber that throws from a signal it gets on this thread is reported and the batch goes on
 * ({@link #answer}).
 *
 * <p><b>Closing and retiring.</b> CLOSING lets queued work finish, then CLOSED fails anything
 * that raced in with {@link CacheClosed} and releases the lease. RETIRED (a shard removed by a
 * rehash) forwards what is left to its keys' homes and releases the lease.
 */
final class Shard implements Duty {
  static final int BATCH = 256;
  static final int INBOX_BATCH = 256;
  /** Fewest buckets swept per interval; large shards sweep more (a full pass every ~2 s). */
  static final int SWEEP_BUCKETS = 64;
  static final int SWEEP_PASS_INTERVALS = 20;
  static final long SWEEP_INTERVAL_MILLIS = 100;
  private static final int IDLE = 0;
  private static final int DRAIN = 1;
  private static final int TASK = 2;
  private static final int MIGRATE = 3;
  private static final int SWEEP = 4;

  final ShardOwner owner;
  final String cache;
  final int index;
  final TableLayout layout;
  final ShardMailbox mailbox;
  final ReadBuffer reads;
  final ShardTimers timers;
  private final EngineWorker worker;
  private final LeaseKeeper keeper;
  private final MigrationSource migration;
  private final ShardExecutor executor;
  private final Sinks.Empty<Void> closed = Sinks.empty();
  volatile MemLease lease;
  volatile ShardTable table;
  /** This shard's tallies when its owner folded them into its totals (a removed shard). */
  volatile Tallies folded;

  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder dropped = new LongAdder();
  /** Exceptions thrown by subscribers from signals delivered on this shard's thread. */
  final LongAdder subscriberFailures = new LongAdder();

  // Writer-only state.
  private final LongConsumer touch = record -> table.touch(record);
  private static final LongConsumer DISCARD = record -> { };
  private final int sweepBuckets;
  private long nextSweep;
  private ShardTask inHand;
  private int phase;

  Shard(ShardOwner owner, int index, MemLease lease, EngineWorker worker, ShardTimers timers) {
    this.owner = owner;
    this.cache = owner.name();
    this.index = index;
    this.layout = owner.layout();
    this.lease = lease;
    this.table = new ShardTable(lease.segment(), layout);
    this.timers = timers;
    this.worker = worker;
    this.mailbox = new ShardMailbox(owner, index, worker);
    this.reads = new ReadBuffer(worker::wake);
    this.keeper = new LeaseKeeper(this, owner);
    this.migration = new MigrationSource(this, owner);
    this.executor = new ShardExecutor(this);
    this.sweepBuckets = Math.max(SWEEP_BUCKETS, layout.buckets / SWEEP_PASS_INTERVALS);
    keeper.startRenewals();
    worker.add(this);
  }

  // ------------------------------------------------------------------ any thread

  /**
   * An optimistic read on the caller's thread: the value, null for a miss, or
   * {@link ShardTable#CONTENDED} whenever the read must go through the queue instead (bucket
   * contended, lease lost or past its deadline, shard no longer open). Never throws.
   */
  byte[] readOptimistic(byte[] key, long hash) {
    if (!mailbox.isOpen()) {
      return ShardTable.CONTENDED;
    }
    long now = owner.now();
    if (!lease.liveAt(now)) {
      return ShardTable.CONTENDED;
    }
    return table.read(key, hash, now, reads);
  }

  /** {@link #readOptimistic} into the caller's array: see {@link ShardTable#readInto}. */
  int readOptimisticInto(byte[] key, long hash, byte[] into) {
    if (!mailbox.isOpen()) {
      return ShardTable.BUSY;
    }
    long now = owner.now();
    if (!lease.liveAt(now)) {
      return ShardTable.BUSY;
    }
    return table.readInto(key, hash, now, reads, into);
  }

  /** Offers a client operation; refuses it when the queue is full. */
  void submit(ShardOp op) {
    mailbox.submit(op);
  }

  /** Offers shard-to-shard traffic; never refused. */
  void deliver(ShardTask task) {
    mailbox.deliver(task);
  }

  /** The live entries of buckets {@code [from, to)} of this shard's table, read on its thread. */
  Mono<List<CacheEntry<byte[], byte[]>>> scan(int from, int to) {
    return Mono.create(sink -> deliver(new InternalTask.ScanRegion(from, to, sink)));
  }

  /** Finishes queued operations, then releases the lease; completes when done. Idempotent. */
  Mono<Void> close() {
    mailbox.close();
    return closed.asMono();
  }

  void wake() {
    worker.wake();
  }

  int inboxDepth() { return mailbox.inboxDepth(); }

  int queueDepth() { return mailbox.queueDepth(); }

  long puts() { return executor.puts(); }

  long removes() { return executor.removes(); }

  LongAdder refusals() { return mailbox.refusals; }

  long leaseLosses() { return keeper.losses.sum(); }

  boolean isOpen() { return mailbox.isOpen(); }

  boolean terminal() {
    int s = mailbox.state();
    return s == ShardMailbox.CLOSED || s == ShardMailbox.RETIRED;
  }

  long capacity() { return layout.capacity(); }

  @Override
  public boolean hasWork() {
    long due = migration.dueNanos();
    return !mailbox.isEmpty() || mailbox.state() == ShardMailbox.CLOSING || !reads.isEmpty()
        || (due != Long.MAX_VALUE && System.nanoTime() - due >= 0);
  }

  @Override
  public long dueNanos() {
    return migration.dueNanos();
  }

  @Override
  public String toString() {
    return "shard " + index + " of cache '" + cache + "'";
  }

  // ------------------------------------------------------------------ engine thread only

  @Override
  public int doWork() {
    if (terminal()) {
      return 0;
    }
    try {
      return turn();
    } catch (RuntimeException e) {
      return turnFailed(e);
    }
  }

  private int turn() {
    int s = mailbox.state();
    int work = keeper.check();
    phase = DRAIN;
    work += reads.drainTo(keeper.dead() ? DISCARD : touch); // a lost table's records are moot
    phase = TASK;
    work += runTasks();
    if (mailbox.state() == ShardMailbox.RETIRED) {
      phase = IDLE;
      return work; // retired by a task of this turn: its lease is gone, touch nothing more
    }
    long now = owner.now();
    phase = MIGRATE;
    if (keeper.dead()) {
      work += migration.active() ? migration.endLost() : 0;
    } else {
      work += migration.step(now);
    }
    if (!keeper.dead() && now >= nextSweep) {
      phase = SWEEP;
      nextSweep = now + SWEEP_INTERVAL_MILLIS;
      work += table.sweep(sweepBuckets, now);
    }
    phase = IDLE;
    table.publish();
    executor.publish();
    if (s == ShardMailbox.CLOSING && mailbox.isEmpty()) {
      finishClose();
    }
    return work;
  }

  private int runTasks() {
    int n = 0;
    ShardTask task;
    while (n < INBOX_BATCH && mailbox.state() != ShardMailbox.RETIRED
        && (task = mailbox.pollInbox()) != null) {
      runTaken(task);
      n++;
    }
    int m = 0;
    while (m < BATCH && mailbox.state() != ShardMailbox.RETIRED
        && (task = mailbox.pollQueue()) != null) {
      runTaken(task);
      m++;
    }
    return n + m;
  }

  private void runTaken(ShardTask task) {
    if (task.take()) {
      inHand = task;
      executor.run(task);
      inHand = null;
    }
  }

  /** The one boundary: see the class notes. */
  private int turnFailed(RuntimeException e) {
    ShardTask task = inHand;
    int p = phase;
    inHand = null;
    phase = IDLE;
    if (table.lost(e)) {
      int work = keeper.recover();
      if (task != null) {
        executor.answerLost(task);
      }
      return work + 1;
    }
    String what = switch (p) {
      case TASK -> task instanceof ShardOp ? "an operation" : "a task (" + task + ")";
      case MIGRATE -> migration.describe();
      case SWEEP -> "an expiry sweep"; // tried again at the next interval
      case DRAIN -> "to apply recorded reads";
      default -> "a turn";
    };
    owner.engineFault(this, what, e);
    if (task != null) {
      executor.reject(task, new IllegalStateException(this + " failed " + what + ": " + e, e));
    } else if (p == MIGRATE) {
      migration.fail(e);
    }
    return 1;
  }

  void forward(ShardTask task, Shard to) {
    task.untake();
    to.deliver(task);
  }

  /** Writer only: whether the lease is lost and not yet rebuilt. */
  boolean dead() {
    return keeper.dead();
  }

  /** Writer only: the shard's part in a rehash as a source. */
  MigrationSource migration() {
    return migration;
  }

  LeaseExpired lostLease() {
    return new LeaseExpired(lease.id(), this + " lost its lease and is being rebuilt");
  }

  /** Called by the keeper once per loss. Fail-closed: queued operations may depend on it. */
  void leaseLost() {
    if (owner.options().failClosed()) {
      LeaseExpired lost = ShardExecutor.queuedLost(this);
      mailbox.takeQueued(task -> executor.reject(task, lost));
    }
  }

  /** Called by the keeper when the table was rebuilt on a fresh lease. */
  void tableRebuilt() {
    migration.tableRebuilt();
  }

  /** Writer only, run by the Retire task: forwards what is left and lets the lease go. */
  void retire() {
    mailbox.drain(ShardMailbox.RETIRED, task -> {
      if (task instanceof ShardOp op) {
        executor.reroute(op);
      } else {
        executor.reject(task, new CacheClosed(cache));
      }
    });
    keeper.stopRenewals();
    long bytes = lease.bytes();
    lease.release();
    worker.remove(this);
    owner.shardRetired(this, bytes);
  }

  private void finishClose() {
    CacheClosed why = new CacheClosed(cache);
    mailbox.drain(ShardMailbox.CLOSED, task -> executor.reject(task, why));
    keeper.stopRenewals();
    lease.release();
    worker.remove(this);
    closed.tryEmitEmpty();
  }
}
