package io.tidecache.engine.memory;

import io.tidecache.api.InvalidRequest;
import io.tidecache.api.LeaseEvent;
import io.tidecache.api.LeaseExpired;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe: one off-heap {@link MemorySegment} with an expiry, handed out by a
 * {@link MemoryPool}.
 *
 * <p>Implementation notes. The whole life of a lease is one {@link AtomicLong}: a non-negative
 * value is the deadline (pool clock, milliseconds) of a live lease; {@link #RELEASED} and
 * {@link #EXPIRED} are terminal. Renewal CASes a live deadline forward; release and expiry CAS it to
 * a terminal value, and whoever wins closes the arena and returns the bytes, exactly once. An
 * expiry check is scheduled on the pool's clock at the deadline; if the lease was renewed in the
 * meantime the check reschedules itself for the new deadline. Readers also check the deadline
 * eagerly, so a lease past its deadline is never handed out, even before its timer has fired.
 *
 * <p>After the arena is closed, any access to the segment, on any thread, fails with
 * {@link IllegalStateException}; the engine translates that into {@link LeaseExpired}.
 */
public final class MemLease {
  static final long RELEASED = -1;
  static final long EXPIRED = -2;

  private final MemoryPool pool;
  private final long id;
  private final long bytes;
  private final Arena arena;
  private final MemorySegment segment;
  private final AtomicLong deadline;

  MemLease(MemoryPool pool, long id, long bytes, Arena arena, MemorySegment segment,
      long deadline) {
    this.pool = pool;
    this.id = id;
    this.bytes = bytes;
    this.arena = arena;
    this.segment = segment;
    this.deadline = new AtomicLong(deadline);
  }

  public long id() { return id; }

  public long bytes() { return bytes; }

  /** The deadline of a live lease, or a negative value once it is released or expired. */
  public long expiresAtMillis() { return deadline.get(); }

  /** Side-effect free: true if the lease is live and its deadline is after {@code nowMillis}. */
  public boolean liveAt(long nowMillis) {
    return deadline.get() > nowMillis;
  }

  /** True while the lease is neither released nor past its deadline. */
  public boolean isLive() {
    return checkDeadline() >= 0;
  }

  /**
   * The leased memory.
   *
   * @throws LeaseExpired when the lease was released or has expired
   */
  public MemorySegment segment() {
    if (checkDeadline() < 0) {
      throw expired();
    }
    return segment;
  }

  /**
   * Extends the lease to {@code ttl} from now.
   *
   * @throws LeaseExpired when it has already expired or been released: a lost lease stays lost
   * @throws InvalidRequest for a TTL that is not positive or is over the longest allowed
   */
  public void renew(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    MemoryPool.checkTtl(ttl);
    for (;;) {
      long d = checkDeadline();
      if (d < 0) {
        throw expired();
      }
      long next = MemoryPool.deadline(pool.now(), ttl);
      if (deadline.compareAndSet(d, Math.max(d, next))) {
        pool.publish(LeaseEvent.Kind.RENEWED, this, pool.now());
        return;
      }
    }
  }

  /** Frees the memory now and returns its bytes to the pool. Idempotent; false if already gone. */
  public boolean release() {
    for (;;) {
      long d = deadline.get();
      if (d < 0) {
        return false;
      }
      if (deadline.compareAndSet(d, RELEASED)) {
        free(LeaseEvent.Kind.RELEASED);
        return true;
      }
    }
  }

  /** Undoes a lease its pool could not complete: frees it without an event (none was sent). */
  void discard() {
    if (deadline.getAndSet(RELEASED) >= 0) {
      arena.close();
      pool.discarded(this);
    }
  }

  /** Reads the deadline, expiring the lease first if the clock has passed it. */
  private long checkDeadline() {
    long d = deadline.get();
    if (d >= 0 && pool.now() >= d && deadline.compareAndSet(d, EXPIRED)) {
      free(LeaseEvent.Kind.EXPIRED);
      return EXPIRED;
    }
    return deadline.get();
  }

  void scheduleExpiryCheck(long delayMillis) {
    pool.clock().schedule(this::expiryCheck, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
  }

  private void expiryCheck() {
    long d = checkDeadline();
    if (d >= 0) {
      try {
        scheduleExpiryCheck(d - pool.now());
      } catch (java.util.concurrent.RejectedExecutionException clockGone) {
        // the engine is shutting down: readers still check the deadline on every use
      }
    }
  }

  private void free(LeaseEvent.Kind why) {
    arena.close();
    pool.returned(this, why);
  }

  LeaseExpired expired() {
    return new LeaseExpired(id, deadline.get() == RELEASED ? "it was released"
        : "it expired before it was renewed");
  }

  @Override
  public String toString() {
    return "MemLease[id=" + id + ", bytes=" + bytes + ", deadline=" + deadline.get() + "]";
  }
}
