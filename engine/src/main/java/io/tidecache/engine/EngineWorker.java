package io.tidecache.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import reactor.core.scheduler.NonBlocking;

/**
 * One engine thread: the single writer of every shard assigned to it. Other threads only call
 * {@link #add}, {@link #remove}, {@link #wake} and {@link #shutdown}.
 *
 * <p>Implementation notes. An Agrona-style duty cycle: each turn calls {@link Shard#doWork()} on
 * every assigned shard; when a whole turn finds nothing to do, the idle strategy spins briefly,
 * then yields the CPU until {@code idleSpinNanos} have passed since the work ran out, then
 * parks. The yield phase is bounded in time, not in turns, because parking has a price that does
 * not depend on the turn count: a put that finds the thread parked waits for the operating
 * system to wake it, measured here at up to a few milliseconds on a 2-core virtual machine (a
 * put every 50 µs, steady put p99 100-300 µs with eight yields then park; 16 µs when the thread
 * stayed awake 200 µs). For the same reason a worker does not park while a shard of its rests
 * between paced rehash chunks (see {@link #rehashChunkDueSoon}). Before parking it publishes {@code sleeping = true} and looks at the
 * queues once more; a producer offers first and reads {@code sleeping} after. Both sides write
 * then read volatile state, so either the worker sees the new operation or the producer sees the
 * sleeper and unparks it: no lost wake-up. Parking is bounded ({@link #PARK_NANOS}) so that
 * expiry sweeps run on an idle shard too, and ends when a paced rehash chunk is due.
 *
 * <p>The thread is a Reactor {@link NonBlocking} thread, so BlockHound fails any blocking call
 * made on it; the idle strategy is the one place allowed to park (see
 * {@code EngineBlockHoundIntegration}).
 */
final class EngineWorker extends Thread implements NonBlocking {
  static final long PARK_NANOS = 50_000_000L;
  private static final int SPINS = 64;
  /** A rehash rest shorter than this is spent awake (yielding), not parked. */
  static final long REHASH_AWAKE_NANOS = 1_000_000L;
  /** How long a worker out of work stays awake before it parks (see Engine.Builder#idleSpin). */
  private final long idleSpinNanos;
  private long idleSince;
  private static final VarHandle SHARDS;

  static {
    try {
      SHARDS = MethodHandles.lookup().findVarHandle(EngineWorker.class, "shards", Shard[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Shard[] shards = new Shard[0];
  private volatile boolean sleeping;
  private volatile boolean running = true;

  EngineWorker(String name, long idleSpinNanos) {
    super(name);
    this.idleSpinNanos = idleSpinNanos;
    setDaemon(true);
  }

  int shardCount() {
    return shards.length;
  }

  void add(Shard shard) {
    for (;;) {
      Shard[] current = shards;
      Shard[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = shard;
      if (SHARDS.compareAndSet(this, current, next)) {
        wake();
        return;
      }
    }
  }

  void remove(Shard shard) {
    for (;;) {
      Shard[] current = shards;
      Shard[] next = Arrays.stream(current).filter(s -> s != shard).toArray(Shard[]::new);
      if (next.length == current.length || SHARDS.compareAndSet(this, current, next)) {
        return;
      }
    }
  }

  void wake() {
    if (sleeping) {
      LockSupport.unpark(this);
    }
  }

  void shutdown() {
    running = false;
    LockSupport.unpark(this);
  }

  @Override
  public void run() {
    int idle = 0;
    while (running) {
      int work = 0;
      for (Shard shard : shards) {
        try {
          work += shard.doWork();
        } catch (RuntimeException | Error e) {
          System.getLogger("io.tidecache.engine").log(System.Logger.Level.ERROR,
              "shard " + shard.index + " of cache '" + shard.cache + "' failed a turn", e);
        }
      }
      idle = work > 0 ? 0 : idle(idle + 1);
    }
  }

  private int idle(int turns) {
    if (turns == 1) {
      idleSince = System.nanoTime();
    }
    if (turns <= SPINS) {
      Thread.onSpinWait();
    } else if (System.nanoTime() - idleSince < idleSpinNanos || rehashChunkDueSoon()) {
      Thread.yield();
    } else {
      sleeping = true;
      if (!hasWork()) {
        long untilDue = nextDue() - System.nanoTime();
        LockSupport.parkNanos(this, Math.max(1, untilDue));
      }
      sleeping = false;
      return 0;
    }
    return turns;
  }

  /**
   * True while one of this thread's shards rests between rehash chunks and the next is due
   * within {@link #REHASH_AWAKE_NANOS}: a rehash is short, and parking at every rest (a thousand
   * times in a rehash of a few tens of milliseconds) exposed the operations arriving meanwhile
   * to the operating system's wake-up delay each time.
   */
  private boolean rehashChunkDueSoon() {
    return nextDue() - System.nanoTime() < REHASH_AWAKE_NANOS; // at most PARK_NANOS away
  }

  /** The earliest time a paced rehash chunk of one of this thread's shards is due. */
  private long nextDue() {
    long due = System.nanoTime() + PARK_NANOS;
    for (Shard shard : shards) {
      long d = shard.migrationDue();
      if (d != Long.MAX_VALUE && d - due < 0) {
        due = d;
      }
    }
    return due;
  }

  private boolean hasWork() {
    for (Shard shard : shards) {
      if (shard.hasWork()) {
        return true;
      }
    }
    return !running;
  }
}
