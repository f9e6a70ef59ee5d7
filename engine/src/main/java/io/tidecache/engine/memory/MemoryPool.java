package io.tidecache.engine.memory;

import io.tidecache.api.CacheOptions;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.LeaseEvent;
import io.tidecache.api.PoolExhausted;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;
import reactor.core.scheduler.Scheduler;

/**
 * Thread-safe: a budget of off-heap bytes handed out as {@link MemLease}s.
 *
 * <p>Implementation notes. The free byte count is one {@link AtomicLong} decremented by CAS before
 * any memory is allocated, so the sum of live leases never exceeds the budget, even under racing
 * {@link #lease} calls. Each lease owns one shared {@link Arena}; releasing or expiring it closes
 * that arena at once (the memory goes back to the allocator, not to the garbage collector) and
 * only then adds its bytes back to the free count. Time comes from a Reactor {@link Scheduler}:
 * expiry checks are tasks scheduled on it, so a {@code VirtualTimeScheduler} drives them in tests.
 */
public final class MemoryPool {
  private final long budget;
  private final Scheduler clock;
  private final AtomicLong free;
  private final AtomicLong ids = new AtomicLong();
  private final Set<MemLease> live = ConcurrentHashMap.newKeySet();
  private final Consumer<? super LeaseEvent> listener;

  private MemoryPool(long budget, Scheduler clock, Consumer<? super LeaseEvent> listener) {
    this.budget = budget;
    this.clock = clock;
    this.free = new AtomicLong(budget);
    this.listener = listener;
  }

  /**
   * A pool of {@code budgetBytes} whose clock (and expiry timer) is {@code clock}.
   *
   * @throws InvalidRequest when the budget is zero or negative
   */
  public static MemoryPool create(long budgetBytes, Scheduler clock) {
    return create(budgetBytes, clock, event -> { });
  }

  /**
   * A pool that tells {@code listener} of every lease acquired, renewed, released or expired, on
   * the thread that caused it (any thread: the listener must be thread-safe, must not block, and
   * should not throw; an exception it throws is caught and dropped).
   *
   * @throws InvalidRequest when the budget is zero or negative
   */
  public static MemoryPool create(long budgetBytes, Scheduler clock,
      Consumer<? super LeaseEvent> listener) {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(listener, "listener");
    if (budgetBytes <= 0) {
      throw new InvalidRequest("memory pool budget must be positive, got " + budgetBytes
          + " bytes");
    }
    return new MemoryPool(budgetBytes, clock, listener);
  }

  /**
   * Leases {@code bytes} of zeroed off-heap memory for {@code ttl}. The holder renews it before
   * the TTL runs out or loses it.
   *
   * @throws InvalidRequest for a non-positive size or TTL, a TTL over
   *     {@link CacheOptions#MAX_TTL}, a size larger than the budget, or a clock that is shut down;
   *     nothing is changed
   * @throws PoolExhausted when fewer than {@code bytes} are free; nothing is changed
   */
  public MemLease lease(long bytes, Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (bytes <= 0) {
      throw new InvalidRequest("lease size must be positive, got " + bytes + " bytes");
    }
    if (bytes > budget) {
      throw new InvalidRequest("lease of " + bytes + " bytes is larger than the whole pool ("
          + budget + " bytes)");
    }
    checkTtl(ttl);
    long f;
    do {
      f = free.get();
      if (f < bytes) {
        throw new PoolExhausted(bytes, f, budget);
      }
    } while (!free.compareAndSet(f, f - bytes));
    Arena arena;
    MemorySegment segment;
    try {
      arena = Arena.ofShared();
      segment = arena.allocate(bytes, 64);
    } catch (OutOfMemoryError | RuntimeException e) {
      free.addAndGet(bytes);
      throw new PoolExhausted(bytes, free.get(), budget);
    }
    long now = now();
    MemLease lease = new MemLease(this, ids.incrementAndGet(), bytes, arena, segment,
        deadline(now, ttl));
    live.add(lease);
    try {
      lease.scheduleExpiryCheck(ttl.toMillis());
    } catch (RejectedExecutionException clockGone) {
      lease.discard(); // closes the arena and gives the bytes back: the refusal takes nothing
      throw new InvalidRequest("the memory pool's clock (" + clock + ") is shut down: it cannot "
          + "time a lease; build the engine with a live clock");
    }
    publish(LeaseEvent.Kind.ACQUIRED, lease, now);
    return lease;
  }

  /**
   * Checks a lease TTL: positive and at most {@link CacheOptions#MAX_TTL}.
   *
   * @throws InvalidRequest otherwise
   */
  static void checkTtl(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(CacheOptions.MAX_TTL) > 0) {
      throw new InvalidRequest("lease TTL must be positive and at most " + CacheOptions.MAX_TTL
          + ", got " + ttl);
    }
  }

  /** {@code now + ttl} in milliseconds, saturated (a checked TTL never gets near the limit). */
  static long deadline(long nowMillis, Duration ttl) {
    long t = ttl.toMillis();
    return nowMillis > Long.MAX_VALUE - t ? Long.MAX_VALUE : nowMillis + t;
  }

  /** Called once per lease, after its arena is closed. */
  void returned(MemLease lease, LeaseEvent.Kind why) {
    live.remove(lease);
    free.addAndGet(lease.bytes());
    publish(why, lease, now());
  }

  /** Called once for a lease undone before it was handed out: no event, it was never announced. */
  void discarded(MemLease lease) {
    live.remove(lease);
    free.addAndGet(lease.bytes());
  }

  void publish(LeaseEvent.Kind kind, MemLease lease, long at) {
    try {
      listener.accept(new LeaseEvent(kind, lease.id(), lease.bytes(), at,
          lease.expiresAtMillis()));
    } catch (RuntimeException e) {
      // A listener's failure must not undo or hide a lease's change (an expiry half done, a
      // renewal chain cut): the change stands, the error is dropped.
      Operators.onErrorDropped(e, Context.empty());
    }
  }

  /** The pool's clock, in milliseconds (see {@link #create}). */
  public long now() {
    return clock.now(TimeUnit.MILLISECONDS);
  }

  Scheduler clock() {
    return clock;
  }

  /** The budget in bytes. */
  public long budget() { return budget; }

  /** Bytes not leased now. */
  public long freeBytes() { return free.get(); }

  /** Bytes leased now. */
  public long leasedBytes() { return budget - free.get(); }

  /** Live leases now. */
  public int activeLeases() { return live.size(); }


  /** Releases every live lease (used when an engine shuts down). */
  public void releaseAll() {
    for (MemLease lease : live) {
      lease.release();
    }
  }
}
