package io.tidecache.engine.worker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import reactor.core.scheduler.NonBlocking;

/**
 * One engine thread, which runs its {@link Duty duties} (the shards assigned to it: it is their
 * single writer). Other threads only call {@link #add}, {@link #remove}, {@link #wake} and
 * {@link #shutdown}.
 *
 * <p>Implementation notes. An Agrona-style duty cycle: each turn calls {@link Duty#doWork()} on
 * every duty; when a whole turn finds nothing to do, the idle strategy spins briefly,
 * then yields the CPU until {@code idleSpinNanos} have passed since the work ran out, then
 * parks. The yield phase is bounded in time, not in turns, because parking has a price that does
 * not depend on the turn count: a put that finds the thread parked waits for the operating
 * system to wake it, measured here at up to a few milliseconds on a 2-core virtual machine (a
 * put every 50 µs, steady put p99 100-300 µs with eight yields then park; 16 µs when the thread
 * stayed awake 200 µs). For the same reason a worker does not park while a shard of its rests
 * between paced rehash chunks (see {@link #dueSoon}). Before parking it publishes {@code sleeping = true} and looks at the
 * queues once more; a producer offers first and reads {@code sleeping} after. Both sides write
 * then read volatile state, so either the worker sees the new operation or the producer sees the
 * sleeper and unparks it: no lost wake-up. Parking is bounded ({@link #PARK_NANOS}) so that
 * expiry sweeps run on an idle shard too, and ends when a paced rehash chunk is due.
 *
 * <p>The thread is a Reactor {@link NonBlocking} thread, so BlockHound fails any blocking call
 * made on it; the idle strategy is the one place allowed to park (see
 * {@code EngineBlockHoundIntegration}).
 */
public final class EngineWorker extends Thread implements NonBlocking {
  static final long PARK_NANOS = 50_000_000L;
  private static final int SPINS = 64;
  /** A rehash rest shorter than this is spent awake (yielding), not parked. */
  static final long REHASH_AWAKE_NANOS = 1_000_000L;
  /** How long a worker out of work stays awake before it parks (see Engine.Builder#idleSpin). */
  private final long idleSpinNanos;
  private long idleSince;
  private static final VarHandle DUTIES;

  static {
    try {
      DUTIES = MethodHandles.lookup().findVarHandle(EngineWorker.class, "duties", Duty[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Duty[] duties = new Duty[0];
  private volatile boolean sleeping;
  private volatile boolean running = true;
  /** Exceptions that escaped a duty's turn (each a bug: duties handle their own faults). */
  private volatile long escapedFaults;
  private final java.util.Set<Duty> reported =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
  private static final reactor.util.Logger FAULTS =
      reactor.util.Loggers.getLogger("io.tidecache.engine");

  /** Exceptions that escaped a duty's turn so far (see {@link #run}); should stay 0. */
  public long escapedFaults() {
    return escapedFaults;
  }

  EngineWorker(String name, long idleSpinNanos) {
    super(name);
    this.idleSpinNanos = idleSpinNanos;
    setDaemon(true);
  }

  /** Duties assigned now. */
  public int dutyCount() {
    return duties.length;
  }

  /** Any thread: adds a duty, run from the next turn on. */
  public void add(Duty duty) {
    for (;;) {
      Duty[] current = duties;
      Duty[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = duty;
      if (DUTIES.compareAndSet(this, current, next)) {
        wake();
        return;
      }
    }
  }

  /** Any thread (its own included): removes a duty; it runs no more turns after this one. */
  public void remove(Duty duty) {
    for (;;) {
      Duty[] current = duties;
      Duty[] next = Arrays.stream(current).filter(d -> d != duty).toArray(Duty[]::new);
      if (next.length == current.length || DUTIES.compareAndSet(this, current, next)) {
        return;
      }
    }
  }

  /** Any thread: makes a parked worker run a turn soon; costs a volatile read when awake. */
  public void wake() {
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
      for (Duty duty : duties) {
        try {
          work += duty.doWork();
        } catch (RuntimeException | Error e) {
          // A duty handles its own faults (a shard fails the operation or rehash at fault); one
          // that escapes is a bug in the duty itself. Counted, and reported once per duty.
          escapedFaults++;
          if (reported.add(duty)) {
            FAULTS.error(getName() + ": " + duty + " let an exception escape a turn", e);
          }
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
    } else if (System.nanoTime() - idleSince < idleSpinNanos || dueSoon()) {
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
   * True while a duty's timed work (a shard resting between rehash chunks) is due within
   * {@link #REHASH_AWAKE_NANOS}: a rehash is short, and parking at every rest (a thousand
   * times in a rehash of a few tens of milliseconds) exposed the operations arriving meanwhile
   * to the operating system's wake-up delay each time.
   */
  private boolean dueSoon() {
    return nextDue() - System.nanoTime() < REHASH_AWAKE_NANOS; // at most PARK_NANOS away
  }

  /** The earliest time a duty's timed work is due, at most {@link #PARK_NANOS} from now. */
  private long nextDue() {
    long due = System.nanoTime() + PARK_NANOS;
    for (Duty duty : duties) {
      long d = duty.dueNanos();
      if (d != Long.MAX_VALUE && d - due < 0) {
        due = d;
      }
    }
    return due;
  }

  private boolean hasWork() {
    for (Duty duty : duties) {
      if (duty.hasWork()) {
        return true;
      }
    }
    return !running;
  }
}
