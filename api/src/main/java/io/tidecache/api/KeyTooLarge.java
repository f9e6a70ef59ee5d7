package io.tidecache.api;

/** Thread-safe (immutable): a key is longer than its cache's key stride; nothing was changed. */
public final class KeyTooLarge extends TideCacheException {
  private static final long serialVersionUID = 1L;
  private final int size;
  private final int limit;

  public KeyTooLarge(String cache, int size, int limit) {
    super("key of " + size + " bytes exceeds the key stride of " + limit + " bytes of cache '"
        + cache + "'", true);
    this.size = size;
    this.limit = limit;
  }

  public int size() { return size; }

  public int limit() { return limit; }

  @Override
  public String code() { return "KEY_TOO_LARGE"; }
}
