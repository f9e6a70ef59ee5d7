package io.tidecache.api;

/**
 * Thread-safe (immutable): the root of every error a tidecache operation signals.
 *
 * <p>Errors travel as {@code onError} signals of the returned {@code Mono}/{@code Flux}; they are
 * never thrown across an asynchronous boundary. Each subclass carries a stable {@link #code()} that
 * the wire format reuses, and a message that names the limit and the offending value.
 *
 * <p>Expected refusals on the hot path ({@link Overloaded}, {@link CacheClosed}) are created
 * without a stack trace: they are answers, not bugs, and filling a stack trace costs microseconds.
 */
public abstract sealed class TideCacheException extends RuntimeException
    permits KeyTooLarge, ValueTooLarge, LeaseExpired, PoolExhausted, Overloaded, Disconnected,
        CacheClosed, InvalidRequest {

  private static final long serialVersionUID = 1L;

  protected TideCacheException(String message, boolean stackTrace) {
    super(message, null, false, stackTrace);
  }

  protected TideCacheException(String message, Throwable cause) {
    super(message, cause, false, true);
  }

  /** A stable, upper-case code naming the kind of error (for example {@code KEY_TOO_LARGE}). */
  public abstract String code();
}
