package io.tidecache.api;

/**
 * Immutable: something happened to a memory lease.
 *
 * @param kind what happened
 * @param leaseId the lease's id, unique within its pool
 * @param bytes the lease's size
 * @param atMillis when, on the pool's clock
 * @param expiresAtMillis the lease's expiry after the event (for ACQUIRED and RENEWED)
 */
public record LeaseEvent(Kind kind, long leaseId, long bytes, long atMillis,
    long expiresAtMillis) implements CacheEvent {

  /** What happened to the lease. */
  public enum Kind { ACQUIRED, RENEWED, RELEASED, EXPIRED }
}
