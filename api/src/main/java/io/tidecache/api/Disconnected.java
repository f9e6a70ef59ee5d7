package io.tidecache.api;

/** Thread-safe (immutable): a remote cache or memory pool cannot be reached right now. */
public final class Disconnected extends TideCacheException {
  private static final long serialVersionUID = 1L;

  public Disconnected(String endpoint, Throwable cause) {
    super("not connected to " + endpoint
        + (cause == null ? "" : ": " + cause.getMessage()), cause);
  }

  @Override
  public String code() { return "DISCONNECTED"; }
}
