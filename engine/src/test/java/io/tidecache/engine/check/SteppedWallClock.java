package io.tidecache.engine.check;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Thread-safe: makes every parallel and single Reactor scheduler created while it is
 * installed read a wall clock that the test can step, as NTP or a resumed VM steps the real one.
 * Reactor's {@code Scheduler.now()} reads {@code System.currentTimeMillis()}; here it reads that
 * plus the steps taken. Install before building the engine, {@link #close()} after. Used by
 * {@code EngineClockTest} and by the soak's clock-step mode ({@code ElasticSoak --clock-step});
 * shipped in the engine's test jar.
 */
public final class SteppedWallClock implements AutoCloseable {
  private final AtomicLong stepMillis = new AtomicLong();

  public SteppedWallClock() {
    Schedulers.setFactory(new Schedulers.Factory() {
      @Override
      public Scheduler newParallel(int parallelism, java.util.concurrent.ThreadFactory tf) {
        return new Stepped(Schedulers.Factory.super.newParallel(parallelism, tf));
      }

      @Override
      public Scheduler newSingle(java.util.concurrent.ThreadFactory tf) {
        return new Stepped(Schedulers.Factory.super.newSingle(tf));
      }
    });
  }

  /** Steps the wall clock by {@code millis} (negative: back). */
  public void step(long millis) {
    stepMillis.addAndGet(millis);
  }

  @Override
  public void close() {
    Schedulers.resetFactory();
  }

  private final class Stepped implements Scheduler {
    private final Scheduler delegate;

    Stepped(Scheduler delegate) {
      this.delegate = delegate;
    }

    @Override
    public long now(TimeUnit unit) {
      return unit.convert(System.currentTimeMillis() + stepMillis.get(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Disposable schedule(Runnable task) {
      return delegate.schedule(task);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
      return delegate.schedule(task, delay, unit);
    }

    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period,
        TimeUnit unit) {
      return delegate.schedulePeriodically(task, initialDelay, period, unit);
    }

    @Override
    public Worker createWorker() {
      return delegate.createWorker();
    }

    @Override
    public void init() {
      delegate.init();
    }

    @Override
    public void dispose() {
      delegate.dispose();
    }

    @Override
    public boolean isDisposed() {
      return delegate.isDisposed();
    }
  }
}
