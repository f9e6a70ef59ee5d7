package io.tidecache.api;

/**
 * Thread-safe (immutable): an argument is out of its allowed range (an empty key, a negative TTL, a
 * pool size of zero...). The message names the argument, the value and the allowed range. Nothing
 * was changed.
 */
public final class InvalidRequest extends TideCacheException {
  private static final long serialVersionUID = 1L;

  public InvalidRequest(String message) {
    super(message, true);
  }

  @Override
  public String code() { return "INVALID_REQUEST"; }
}
