package io.tidecache.engine;

import io.tidecache.api.CacheClosed;
import io.tidecache.api.Overloaded;
import io.tidecache.api.TideCacheException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.MpscArrayQueue;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Thread-safe front, single-writer inside: any thread submits operations; exactly one engine
 * thread (its {@link EngineWorker}) executes them against the shard's {@link ShardTable}.
 *
 * <p>Implementation notes. Operations reach the writer through a bounded JCTools
 * {@link MpscArrayQueue}; a full queue refuses the operation at once with {@link Overloaded}
 * (counted in {@link #refusals}), so memory never grows without bound. The writer drains at most
 * {@link #BATCH} operations per turn so that shards sharing a worker take turns. Gets usually do
 * not enter the queue at all: {@link #readOptimistic} reads the table under its bucket seqlock.
 *
 * <p>Closing: {@link #close()} moves OPEN to CLOSING; the writer finishes every operation already
 * queued, then moves to CLOSED, fails anything that raced in with {@link CacheClosed}, releases
 * the lease and leaves its worker. A producer re-checks the state after its offer and fails its
 * own operation if the shard closed meanwhile; {@link ShardOp#claim} makes whichever of the two
 * comes first the only one to signal.
 *
 * <p>The lease is renewed on the pool's clock every third of its TTL. If it is lost anyway (a
 * stalled process), every operation fails with {@code LeaseExpired} and {@link #leaseLosses}
 * counts it.
 */
final class Shard {
  static final int BATCH = 256;
  static final int SWEEP_BUCKETS = 64;
  static final long SWEEP_INTERVAL_MILLIS = 100;
  private static final int OPEN = 0;
  private static final int CLOSING = 1;
  private static final int CLOSED = 2;

  final String cache;
  final int index;
  final MemLease lease;
  final ShardTable table;
  private final MpscArrayQueue<ShardOp> queue;
  private final int queueCapacity;
  private final ReadBuffer reads = new ReadBuffer();
  private final EngineWorker worker;
  private final Scheduler clock;
  private final Overloaded overloaded;
  private final Disposable renewal;
  private final Sinks.Empty<Void> closed = Sinks.empty();
  private static final AtomicIntegerFieldUpdater<Shard> STATE =
      AtomicIntegerFieldUpdater.newUpdater(Shard.class, "state");
  private static final AtomicIntegerFieldUpdater<Shard> LOST =
      AtomicIntegerFieldUpdater.newUpdater(Shard.class, "lost");
  private volatile int state = OPEN;
  private volatile int lost;
  private long nextSweep;

  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder refusals = new LongAdder();
  final LongAdder leaseLosses = new LongAdder();
  private long puts;
  private long removes;
  private volatile long publishedPuts;
  private volatile long publishedRemoves;

  Shard(String cache, int index, MemLease lease, TableLayout layout, int queueCapacity,
      EngineWorker worker, Scheduler clock, Duration leaseTtl) {
    this.cache = cache;
    this.index = index;
    this.lease = lease;
    this.table = new ShardTable(lease.segment(), layout);
    this.queueCapacity = queueCapacity;
    this.queue = new MpscArrayQueue<>(queueCapacity);
    this.worker = worker;
    this.clock = clock;
    this.overloaded = new Overloaded("queue of shard " + index + " of cache '" + cache + "'",
        queueCapacity);
    long every = Math.max(1, leaseTtl.toMillis() / 3);
    this.renewal = clock.schedulePeriodically(() -> renew(leaseTtl), every, every,
        TimeUnit.MILLISECONDS);
    worker.add(this);
  }

  // ------------------------------------------------------------------ any thread

  Mono<byte[]> get(byte[] key, long hash) {
    return new ShardMono<>(this, ShardOp.GET, key, hash, null, 0);
  }

  Mono<Void> put(byte[] key, long hash, byte[] value, long ttlMillis) {
    return new ShardMono<>(this, ShardOp.PUT, key, hash, value, ttlMillis);
  }

  Mono<Boolean> remove(byte[] key, long hash) {
    return new ShardMono<>(this, ShardOp.REMOVE, key, hash, null, 0);
  }

  /**
   * An optimistic read on the caller's thread: the value, null for a miss, or
   * {@link ShardTable#CONTENDED}.
   */
  byte[] readOptimistic(byte[] key, long hash) {
    if (state == CLOSED) {
      throw new CacheClosed(cache);
    }
    long now = now();
    if (!lease.liveAt(now)) {
      throw leaseLost();
    }
    byte[] found;
    try {
      found = table.read(key, hash, now, reads);
    } catch (IllegalStateException memoryGone) {
      throw leaseLost();
    }
    if (found == null) {
      misses.increment();
    } else if (found != ShardTable.CONTENDED) {
      hits.increment();
    }
    return found;
  }

  void submit(ShardOp op) {
    if (state != OPEN) {
      op.fail(new CacheClosed(cache));
      return;
    }
    if (!queue.offer(op)) {
      refusals.increment();
      op.fail(overloaded);
      return;
    }
    worker.wake();
    if (state == CLOSED) {
      op.fail(new CacheClosed(cache));
    }
  }

  /** Finishes queued operations, then releases the lease; completes when done. Idempotent. */
  Mono<Void> close() {
    if (STATE.compareAndSet(this, OPEN, CLOSING)) {
      worker.wake();
    }
    return closed.asMono();
  }

  int queueDepth() { return queue.size(); }

  int queueCapacity() { return queueCapacity; }

  long puts() { return publishedPuts; }

  long removes() { return publishedRemoves; }

  boolean isClosed() { return state == CLOSED; }

  boolean wantsClose() { return state == CLOSING; }

  // ------------------------------------------------------------------ engine thread only

  /** One turn of the writer: returns the amount of work done (0 means idle). */
  int doWork() {
    int s = state;
    if (s == CLOSED) {
      return 0;
    }
    int work = 0;
    try {
      if (!lease.isLive()) {
        throw leaseLost();
      }
      work += reads.drainTo(table);
      ShardOp op;
      while (work < BATCH && (op = queue.relaxedPoll()) != null) {
        // The clock is read after the poll: an operation's time is never before its submission.
        execute(op, now());
        work++;
      }
      long now = now();
      if (now >= nextSweep) {
        nextSweep = now + SWEEP_INTERVAL_MILLIS;
        work += table.sweep(SWEEP_BUCKETS, now);
      }
      table.publish();
      publishedPuts = puts;
      publishedRemoves = removes;
    } catch (IllegalStateException | TideCacheException memoryGone) {
      work += failAll(lease.expired());
    }
    if (s == CLOSING && queue.isEmpty()) {
      finishClose();
    }
    return work;
  }

  private void execute(ShardOp op, long now) {
    switch (op.opcode) {
      case ShardOp.GET -> {
        byte[] v = table.get(op.key, op.hash, now);
        (v == null ? misses : hits).increment();
        op.succeed(v);
      }
      case ShardOp.PUT -> {
        table.put(op.key, op.hash, op.value, op.ttlMillis == 0 ? 0 : now + op.ttlMillis, now);
        puts++;
        op.succeed(null);
      }
      case ShardOp.REMOVE -> {
        boolean removed = table.remove(op.key, op.hash, now);
        if (removed) {
          removes++;
        }
        op.succeed(removed);
      }
      default -> op.fail(new IllegalStateException("unknown opcode " + op.opcode));
    }
  }

  private int failAll(Throwable error) {
    int n = 0;
    ShardOp op;
    while ((op = queue.relaxedPoll()) != null) {
      op.fail(error);
      n++;
    }
    return n;
  }

  private void finishClose() {
    state = CLOSED;
    failAll(new CacheClosed(cache));
    renewal.dispose();
    lease.release();
    worker.remove(this);
    closed.tryEmitEmpty();
  }

  // ------------------------------------------------------------------ helpers

  private void renew(Duration ttl) {
    if (state == CLOSED) {
      return;
    }
    try {
      lease.renew(ttl);
    } catch (TideCacheException lost) {
      leaseLost();
      worker.wake();
    }
  }

  private TideCacheException leaseLost() {
    if (lost == 0 && LOST.compareAndSet(this, 0, 1)) {
      leaseLosses.increment();
    }
    return lease.expired();
  }

  private long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }
}
