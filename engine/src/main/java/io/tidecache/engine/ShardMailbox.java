package io.tidecache.engine;

import io.tidecache.api.CacheClosed;
import io.tidecache.api.Overloaded;
import io.tidecache.engine.worker.EngineWorker;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * Thread-safe front, single consumer: any thread offers a shard work; only the shard's engine
 * thread polls it. Holds the shard's two queues and its life-cycle state.
 *
 * <p>Implementation notes.
 *
 * <p><b>Queues.</b> Client operations arrive through a bounded JCTools {@link MpscArrayQueue}; a
 * full queue refuses at once with {@link Overloaded} (counted), so memory never grows without
 * bound. Shard-to-shard traffic (forwarded operations, entries handed over by a rehash, barriers)
 * arrives through a separate unbounded MPSC inbox, polled first: a shard's writer must never
 * wait for another shard's writer, or two shards forwarding to each other could deadlock. The
 * inbox is bounded in practice: forwarded operations come out of bounded client queues, and a
 * rehash source pauses while a destination's inbox is above {@link MigrationSource#INBOX_HIGH_WATER}.
 *
 * <p><b>States.</b> OPEN takes everything. CLOSING still takes (and runs) queued work and client
 * operations; CLOSED fails what races in with {@link CacheClosed}. RETIRED (a shard a rehash
 * removed) sends client operations to their home under the current routing. A producer re-reads
 * the state after its offer; if the shard left OPEN meanwhile, it takes its task back
 * ({@link ShardTask#take()}) and fails or re-routes it, so nothing is stranded in a dead queue.
 * The consumer writes a terminal state and then drains with {@code poll()}, which waits for a
 * claimed slot's element (see {@link #drain}).
 */
final class ShardMailbox {
  static final int OPEN = 0;
  static final int CLOSING = 1;
  static final int CLOSED = 2;
  static final int RETIRED = 3;
  private static final AtomicIntegerFieldUpdater<ShardMailbox> STATE =
      AtomicIntegerFieldUpdater.newUpdater(ShardMailbox.class, "state");

  private final ShardOwner owner;
  private final MpscArrayQueue<ShardOp> queue;
  private final MpscUnboundedXaddArrayQueue<ShardTask> inbox =
      new MpscUnboundedXaddArrayQueue<>(1024);
  private final EngineWorker worker;
  private final Overloaded overloaded;
  private volatile int state = OPEN;
  /** Client operations refused because the queue was full. */
  final LongAdder refusals = new LongAdder();

  ShardMailbox(ShardOwner owner, int index, EngineWorker worker) {
    this.owner = owner;
    this.worker = worker;
    int capacity = owner.options().queueCapacity();
    this.queue = new MpscArrayQueue<>(capacity);
    this.overloaded = new Overloaded("queue of shard " + index + " of cache '" + owner.name()
        + "'", capacity);
  }

  int state() {
    return state;
  }

  boolean isOpen() {
    return state == OPEN;
  }

  /** Offers a client operation; refuses it when the queue is full. */
  void submit(ShardOp op) {
    for (;;) {
      int s = state;
      if (s == RETIRED) {
        owner.submit(op);
        return;
      }
      if (s != OPEN) {
        op.fail(new CacheClosed(owner.name()));
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
        owner.submit(op);
        return;
      }
      if (s == CLOSED || s == RETIRED) {
        if (task.take()) {
          task.abandon(new CacheClosed(owner.name()));
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

  /** Starts a close: queued work still runs. False if the shard had already left OPEN. */
  boolean close() {
    if (STATE.compareAndSet(this, OPEN, CLOSING)) {
      worker.wake();
      return true;
    }
    return false;
  }

  /** Writer only: the next shard-to-shard task, or null. */
  ShardTask pollInbox() {
    return inbox.relaxedPoll();
  }

  /** Writer only: the next client operation, or null. */
  ShardTask pollQueue() {
    return queue.relaxedPoll();
  }

  /** Writer only: every client operation queued now, taken and handed to {@code each}. */
  void takeQueued(Consumer<ShardTask> each) {
    ShardTask task;
    while ((task = queue.relaxedPoll()) != null) {
      if (task.take()) {
        each.accept(task);
      }
    }
  }

  boolean isEmpty() {
    return queue.isEmpty() && inbox.isEmpty();
  }

  int queueDepth() {
    return queue.size();
  }

  int inboxDepth() {
    return inbox.size();
  }

  /**
   * Writer only: enters a terminal state ({@link #CLOSED} or {@link #RETIRED}) and hands every
   * task still queued, taken, to {@code each}. It drains with {@code poll()}, not
   * {@code relaxedPoll()}: a producer claims its slot (a full-fence CAS), stores its element (a
   * release store) and then re-reads the state, and the element store may not be visible yet
   * when this thread looks. With {@code relaxedPoll()} a slot claimed but not yet filled reads as
   * empty, and if the producer's re-read still saw the old state (the store-buffering outcome a
   * release store allows), the task would sit in a dead queue, never answered. {@code poll()}
   * sees the claimed slot and waits the few instructions until its element lands; a producer
   * that claims after this thread's look sees the terminal state and takes its task back.
   */
  void drain(int terminal, Consumer<ShardTask> each) {
    state = terminal;
    ShardTask task;
    while ((task = inbox.poll()) != null || (task = queue.poll()) != null) {
      if (task.take()) {
        each.accept(task);
      }
    }
  }
}
