package io.tidecache.engine;

import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Thread-safe: the engine's default clock: monotonic time and a timer thread of the engine's own.
 *
 * <p>Implementation notes. Lease deadlines, entry expiries and sweeps are "now plus a duration",
 * so they need a clock that only moves forward at the rate of real time. Reactor's
 * {@link Scheduler#now} reads {@code System.currentTimeMillis()}, which NTP or a resumed VM steps:
 * forward by more than a lease TTL, every lease expired at once; backward, every TTL was
 * stretched by the step. Here {@link #now} is {@link System#nanoTime()} counted from the clock's
 * creation (plus one millisecond, so that a deadline is never 0 or negative, values the table
 * and the lease reserve). Its timer (lease renewals and expiry checks) is one daemon thread that
 * nothing else uses: renewals on the application's shared {@code Schedulers.parallel()} were
 * starved by its CPU-bound tasks, and a live process lost its leases. Times this clock gives are
 * not wall-clock times; they mean something only relative to each other, within one engine.
 * A test passes a {@code VirtualTimeScheduler} instead, which is both clock and timer.
 */
final class MonotonicClock implements Scheduler {
  private final long origin = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(1);
  private final Scheduler timer = Schedulers.newSingle("tidecache-timer", true);

  @Override
  public long now(TimeUnit unit) {
    return unit.convert(System.nanoTime() - origin, TimeUnit.NANOSECONDS);
  }

  @Override
  public Disposable schedule(Runnable task) {
    return timer.schedule(task);
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    return timer.schedule(task, delay, unit);
  }

  @Override
  public Disposable schedulePeriodically(Runnable task, long initialDelay, long period,
      TimeUnit unit) {
    return timer.schedulePeriodically(task, initialDelay, period, unit);
  }

  @Override
  public Worker createWorker() {
    return timer.createWorker();
  }

  @Override
  public void init() {
    timer.init();
  }

  @Override
  public void dispose() {
    timer.dispose();
  }

  @Override
  public boolean isDisposed() {
    return timer.isDisposed();
  }
}
