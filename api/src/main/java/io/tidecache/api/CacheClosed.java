package io.tidecache.api;

/** Thread-safe (immutable): the cache was closed; the operation did nothing. No stack trace. */
public final class CacheClosed extends TideCacheException {
  private static final long serialVersionUID = 1L;

  public CacheClosed(String cache) {
    super("cache '" + cache + "' is closed", false);
  }

  @Override
  public String code() { return "CACHE_CLOSED"; }
}
