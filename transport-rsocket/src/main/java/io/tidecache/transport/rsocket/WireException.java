package io.tidecache.transport.rsocket;

/**
 * Thread-safe (immutable): a request the transport itself refuses (unknown route, malformed
 * metadata or data, unknown cache), before any cache sees it. Carries its wire code and the
 * {@link ServerCounters.Refusal} it is counted under; created without a stack trace.
 */
final class WireException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String code;
  private final transient ServerCounters.Refusal refusal;

  WireException(String code, ServerCounters.Refusal refusal, String message) {
    super(message, null, false, false);
    this.code = code;
    this.refusal = refusal;
  }

  static WireException unknownRoute(String message) {
    return new WireException(WireFormat.UNKNOWN_ROUTE, ServerCounters.Refusal.UNKNOWN_ROUTE,
        message);
  }

  static WireException badMetadata(String message) {
    return new WireException(WireFormat.BAD_METADATA, ServerCounters.Refusal.BAD_METADATA, message);
  }

  static WireException unknownCache(String message) {
    return new WireException(WireFormat.UNKNOWN_CACHE, ServerCounters.Refusal.UNKNOWN_CACHE,
        message);
  }

  static WireException badPayload(String message) {
    return new WireException(WireFormat.BAD_PAYLOAD, ServerCounters.Refusal.BAD_PAYLOAD, message);
  }

  String code() { return code; }

  ServerCounters.Refusal refusal() { return refusal; }

  /** The wire message: {@code CODE: message}. */
  String wireMessage() { return code + ": " + getMessage(); }
}
