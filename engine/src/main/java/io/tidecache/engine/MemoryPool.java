package io.tidecache.engine;

import io.tidecache.api.CacheEvent;
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
import reactor.core.publisher.Flux;
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
  private final EventBus events;

  private MemoryPool(long budget, Scheduler clock, EventBus events) {
    this.budget = budget;
    this.clock = clock;
    this.free = new AtomicLong(budget);
    this.events = events;
  }

  /**
   * A pool of {@code budgetBytes} whose clock (and expiry timer) is {@code clock}.
   *
   * @throws InvalidRequest when the budget is zero or negative
   */
  public static MemoryPool create(long budgetBytes, Scheduler clock) {
    return create(budgetBytes, clock, new EventBus());
  }

  static MemoryPool create(long budgetBytes, Scheduler clock, EventBus events) {
    Objects.requireNonNull(clock, "clock");
    if (budgetBytes <= 0) {
      throw new InvalidRequest("memory pool budget must be positive, got " + budgetBytes
          + " bytes");
    }
    return new MemoryPool(budgetBytes, clock, events);
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
    events.publish(new LeaseEvent(kind, lease.id(), lease.bytes(), at, lease.expiresAtMillis()));
  }

  long now() {
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

  /** Lease events (acquired, renewed, released, expired) as a hot stream; no replay. */
  public Flux<CacheEvent> events() { return events.events(); }

  /** Releases every live lease (used when an engine shuts down). */
  public void releaseAll() {
    for (MemLease lease : live) {
      lease.release();
    }
  }
}
