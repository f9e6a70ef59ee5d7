package io.tidecache.api;

/** Thread-safe (immutable): a lease asked for more bytes than the memory pool has free. */
public final class PoolExhausted extends TideCacheException {
  private static final long serialVersionUID = 1L;
  private final long requested;
  private final long free;
  private final long budget;

  public PoolExhausted(long requested, long free, long budget) {
    super("lease of " + requested + " bytes refused: the pool has " + free + " of " + budget
        + " bytes free", true);
    this.requested = requested;
    this.free = free;
    this.budget = budget;
  }

  public long requested() { return requested; }

  public long free() { return free; }

  public long budget() { return budget; }

  @Override
  public String code() { return "POOL_EXHAUSTED"; }
}
