package io.tidecache.transport.rsocket;

/**
 * Thread-safe (immutable): a listener of {@link RSocketCacheServer#start()} could not bind. It
 * names the transport, the address asked for and the reason (the operating system's, such as
 * "Address already in use"); by the time it is signalled every listener that had bound in the
 * same start is closed again, so nothing is left listening.
 */
public final class ListenerBindException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String transport;
  private final String host;
  private final int port;

  ListenerBindException(String transport, String host, int port, Throwable cause) {
    super("cannot listen for RSocket over " + transport + " on " + hostPort(host, port) + ": "
        + reason(cause) + "; nothing is left listening", cause);
    this.transport = transport;
    this.host = host;
    this.port = port;
  }

  /** The transport that failed to bind: {@code TCP} or {@code WebSocket}. */
  public String transport() { return transport; }

  /** The address it was asked to bind. */
  public String host() { return host; }

  /** The port it was asked to bind (0: any free port). */
  public int port() { return port; }

  /** The innermost message of the cause chain: the operating system's words, when there are. */
  private static String reason(Throwable cause) {
    String reason = null;
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null) {
        reason = t.getMessage();
      }
    }
    return reason == null ? String.valueOf(cause) : reason;
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
