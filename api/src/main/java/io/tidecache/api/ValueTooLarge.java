package io.tidecache.api;

/** Thread-safe (immutable): a value is longer than its cache's value stride; nothing was changed. */
public final class ValueTooLarge extends TideCacheException {
  private static final long serialVersionUID = 1L;
  private final int size;
  private final int limit;

  public ValueTooLarge(String cache, int size, int limit) {
    super("value of " + size + " bytes exceeds the value stride of " + limit + " bytes of cache '"
        + cache + "'", true);
    this.size = size;
    this.limit = limit;
  }

  public int size() { return size; }

  public int limit() { return limit; }

  @Override
  public String code() { return "VALUE_TOO_LARGE"; }
}
