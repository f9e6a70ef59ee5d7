package io.tidecache.api;

/**
 * Thread-safe (immutable): a bounded queue or in-flight limit is full; the request was refused
 * before anything changed. Retry later or slow down. Created without a stack trace.
 */
public final class Overloaded extends TideCacheException {
  private static final long serialVersionUID = 1L;
  private final int limit;

  public Overloaded(String what, int limit) {
    super(what + " is full (limit " + limit + "); request refused, nothing changed", false);
    this.limit = limit;
  }

  public int limit() { return limit; }

  @Override
  public String code() { return "OVERLOADED"; }
}
