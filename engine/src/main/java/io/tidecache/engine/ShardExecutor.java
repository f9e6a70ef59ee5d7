package io.tidecache.engine;

import io.micrometer.core.instrument.Timer;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.LeaseExpired;
import io.tidecache.engine.table.ShardTable;
import java.util.ArrayList;
import java.util.List;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Single writer: only the shard's engine thread calls this. Runs the tasks a shard takes from its
 * mailbox: client operations (routed by the current routing, then run against the table), the
 * entries and barriers of a rehash, scan requests; and keeps the operations' tallies.
 *
 * <p>Design note. Every operation is checked against the owner's current {@link Routing} when it
 * runs, not when it was submitted. The home shard of a key is its serialization point: while a
 * rehash runs and the key's destination differs, the home moves the key on first touch (hands its
 * entry to the destination, deletes it here) and forwards the operation, in order, behind it. A
 * destination runs a forwarded operation itself; any shard that receives an operation it neither
 * owns nor was forwarded sends it to the key's home (a stale route). An operation's TTL arrives as
 * an absolute expiry on the engine clock, worked out once when the caller made it
 * ({@link ShardOp#expiresAt}); the table keeps it as is, and a rehash hands it over as is. Memory
 * that vanishes under a task (a lost lease) throws through to the shard's one fault boundary,
 * which answers the task with {@link #answerLost}.
 */
final class ShardExecutor {
  private final Shard shard;
  private final ShardOwner owner;
  private long puts;
  private long removes;
  private volatile long publishedPuts;
  private volatile long publishedRemoves;

  ShardExecutor(Shard shard) {
    this.shard = shard;
    this.owner = shard.owner;
  }

  /** Any thread: puts stored (a new key that admission turned away is not one). */
  long puts() {
    return publishedPuts;
  }

  /** Any thread: removes that found their key. */
  long removes() {
    return publishedRemoves;
  }

  /** Makes this turn's tallies visible to other threads. */
  void publish() {
    publishedPuts = puts;
    publishedRemoves = removes;
  }

  /** Runs one task the shard has taken. */
  void run(ShardTask task) {
    switch (task) {
      case ShardOp op -> route(op);
      case InternalTask.MigrateIn in -> {
        long now = owner.now();
        if (!shard.dead() && (in.expiresAt == 0 || in.expiresAt > now)) {
          shard.table.put(in.key, in.hash, in.value, in.expiresAt, now, false);
        }
        in.fences.finished(in.hash);
      }
      case InternalTask.ScanRegion scan -> scan(scan);
      case InternalTask.Barrier b -> b.rehash.barrierPassed();
      case InternalTask.StartMigration sm -> shard.migration().start(sm.rehash);
      case InternalTask.Retire r -> shard.retire();
      default -> reject(task, new IllegalStateException("unknown task " + task));
    }
  }

  /** Runs a client operation here, or sends it where the current routing says it belongs. */
  private void route(ShardOp op) {
    Routing r = owner.routing();
    int index = shard.index;
    int home = r.home(op.hash);
    if (home != index) {
      if (op.forwarded && r.migrating() && r.dest(op.hash) == index) {
        execute(op);
      } else {
        op.forwarded = false;
        shard.forward(op, r.shards[home]);
      }
      return;
    }
    if (r.migrating()) {
      int dest = r.dest(op.hash);
      if (dest != index) {
        if (!shard.dead()) {
          moveOnTouch(op, r.shards[dest]);
        }
        op.forwarded = true;
        shard.forward(op, r.shards[dest]);
        return;
      }
    }
    execute(op);
  }

  /** A retiring shard's leftover operation: sent to its home under the current routing. */
  void reroute(ShardOp op) {
    route(op);
  }

  /** Hands a moving key's entry to its destination ahead of its first operation. */
  private void moveOnTouch(ShardOp op, Shard dest) {
    MoveFences fences = owner.fences();
    fences.started(op.hash); // before the entry leaves this table: see MoveFences
    boolean handed = false;
    try {
      ShardTable.Extracted e = shard.table.extract(op.key, op.hash, owner.now());
      if (e != null) {
        shard.forward(new InternalTask.MigrateIn(op.key, op.hash, e.value(), e.expiresAt(),
            fences), dest);
        handed = true;
        owner.movedOnTouch();
      }
    } finally {
      if (!handed) {
        fences.finished(op.hash);
      }
    }
  }

  private void execute(ShardOp op) {
    if (shard.dead()) {
      answerLost(op);
      return;
    }
    long now = owner.now();
    ShardTable table = shard.table;
    switch (op.opcode) {
      case ShardOp.GET -> {
        byte[] v = table.get(op.key, op.hash, now);
        (v == null ? shard.misses : shard.hits).increment();
        answer(op, v, shard.timers.get());
      }
      case ShardOp.PUT -> {
        if (table.put(op.key, op.hash, op.value, op.expiresAt, now, true)) {
          puts++; // a new key turned away by admission is counted as a rejection instead
        }
        answer(op, null, shard.timers.put());
      }
      case ShardOp.REMOVE -> {
        boolean removed = table.remove(op.key, op.hash, now);
        if (removed) {
          removes++;
        }
        answer(op, removed, shard.timers.remove());
      }
      default -> throw new IllegalArgumentException("unknown opcode " + op.opcode);
    }
  }

  /** Answers a scan's request for one region of the table (nothing while the lease is lost). */
  private void scan(InternalTask.ScanRegion scan) {
    List<CacheEntry<byte[], byte[]>> found = new ArrayList<>();
    if (!shard.dead()) {
      shard.table.collect(scan.from, Math.min(scan.to, shard.layout.buckets), owner.now(),
          found);
    }
    answerScan(scan, found);
  }

  /** The answer to a task caught by a lost lease: an operation's is per the cache's policy. */
  void answerLost(ShardTask task) {
    switch (task) {
      case ShardOp op -> answerLost(op);
      case InternalTask.ScanRegion s -> answerScan(s, List.of());
      default -> reject(task, shard.lostLease()); // MigrateIn: its move counts as finished
    }
  }

  private void answerLost(ShardOp op) {
    if (owner.options().failClosed()) {
      reject(op, shard.lostLease());
      return;
    }
    switch (op.opcode) {
      case ShardOp.GET -> {
        shard.misses.increment();
        answer(op, null, null);
      }
      case ShardOp.PUT -> {
        shard.dropped.increment();
        answer(op, null, null);
      }
      default -> answer(op, Boolean.FALSE, null);
    }
  }

  /** Fail-closed: what operations queued when the loss was seen get. */
  static LeaseExpired queuedLost(Shard shard) {
    return new LeaseExpired(shard.lease.id(), shard + " lost its lease; its entries are gone");
  }

  void answerScan(InternalTask.ScanRegion scan, List<CacheEntry<byte[], byte[]>> found) {
    try {
      scan.answer.success(found);
    } catch (Throwable t) {
      subscriberFailed(t);
    }
  }

  /** Completes an operation with its result; a subscriber that throws is reported. */
  void answer(ShardOp op, Object result, Timer latency) {
    try {
      op.succeed(result, latency);
    } catch (Throwable t) {
      subscriberFailed(t);
    }
  }

  /** Fails (abandons) a task; a subscriber that throws is reported. */
  void reject(ShardTask task, Throwable why) {
    try {
      task.abandon(why);
    } catch (Throwable t) {
      subscriberFailed(t);
    }
  }

  /** Counts and reports an exception a subscriber threw on this thread; JVM-fatal ones escape. */
  private void subscriberFailed(Throwable t) {
    Exceptions.throwIfJvmFatal(t);
    shard.subscriberFailures.increment();
    Operators.onErrorDropped(t, Context.empty());
  }
}
