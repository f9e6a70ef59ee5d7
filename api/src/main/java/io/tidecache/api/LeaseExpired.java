package io.tidecache.api;

/**
 * Thread-safe (immutable): the memory lease behind a shard expired (it was not renewed in time) or
 * was released, so the shard's memory is gone. The operation did nothing.
 */
public final class LeaseExpired extends TideCacheException {
  private static final long serialVersionUID = 1L;
  private final long leaseId;

  public LeaseExpired(long leaseId, String detail) {
    super("lease " + leaseId + " is no longer valid: " + detail, true);
    this.leaseId = leaseId;
  }

  public long leaseId() { return leaseId; }

  @Override
  public String code() { return "LEASE_EXPIRED"; }
}
