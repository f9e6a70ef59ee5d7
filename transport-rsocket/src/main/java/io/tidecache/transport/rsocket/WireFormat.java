package io.tidecache.transport.rsocket;

import java.time.Duration;

/**
 * Thread-safe (constants only): the names and numbers of the tidecache RSocket wire format, in one
 * place. {@code transport-rsocket/WIRE-FORMAT.md} is the document; this class is its code.
 *
 * <p>Every request carries a route (the first tag of a routing entry) in its metadata. Routes that
 * address a cache end with {@code .<cacheName>}; without that suffix they address the server's
 * default cache, if it has one. See {@link Route}.
 */
public final class WireFormat {
  private WireFormat() {}

  /** SETUP metadata MIME type: composite metadata (routing entry per request, auth at SETUP). */
  public static final String COMPOSITE_METADATA = "message/x.rsocket.composite-metadata.v0";
  /** SETUP metadata MIME type also accepted: the request metadata is a bare routing entry. */
  public static final String ROUTING = "message/x.rsocket.routing.v0";
  /** The authentication extension, as a composite entry of the SETUP metadata. */
  public static final String AUTHENTICATION = "message/x.rsocket.authentication.v0";
  /** SETUP data MIME type a client should declare (the server ignores it). */
  public static final String OCTET_STREAM = "application/octet-stream";

  /** Well-known MIME id of the routing extension in composite metadata (0x7E). */
  static final int ROUTING_ID = 0x7E;
  /** Well-known MIME id of the authentication extension in composite metadata (0x7C). */
  static final int AUTHENTICATION_ID = 0x7C;
  /** Well-known auth type ids (the first byte of the auth entry is id | 0x80). */
  static final int AUTH_SIMPLE = 0x00;
  static final int AUTH_BEARER = 0x01;

  /** TTL field of a put: the cache's default time to live. */
  public static final long TTL_DEFAULT = -1;
  /** TTL field of a put: the entry never expires. */
  public static final long TTL_NEVER = 0;

  /** Longest stats-stream interval a client may ask for. */
  public static final Duration MAX_STATS_INTERVAL = Duration.ofHours(1);
  /** Shortest stats-stream interval a client may ask for. */
  public static final Duration MIN_STATS_INTERVAL = Duration.ofMillis(10);
  /** Stats-stream interval when the request data is empty. */
  public static final Duration DEFAULT_STATS_INTERVAL = Duration.ofSeconds(1);

  /** Error-message code prefixes of the transport itself (cache errors use their own codes). */
  public static final String UNKNOWN_ROUTE = "UNKNOWN_ROUTE";
  public static final String BAD_METADATA = "BAD_METADATA";
  public static final String UNKNOWN_CACHE = "UNKNOWN_CACHE";
  public static final String BAD_PAYLOAD = "BAD_PAYLOAD";
  public static final String INTERNAL = "INTERNAL";
  public static final String UNAUTHORIZED = "UNAUTHORIZED";
  public static final String UNSUPPORTED_SETUP = "UNSUPPORTED_SETUP";
  public static final String OVERLOADED = "OVERLOADED";
  public static final String FRAME_TOO_LARGE = "FRAME_TOO_LARGE";
  /** A frame whose lengths do not hold (CONNECTION_ERROR; the connection is closed). */
  public static final String MALFORMED_FRAME = "MALFORMED_FRAME";
  /** A frame the protocol does not allow there (CONNECTION_ERROR; the connection is closed). */
  public static final String PROTOCOL_ERROR = "PROTOCOL_ERROR";
  /** A SETUP whose values cannot be served (INVALID_SETUP; the connection is closed). */
  public static final String INVALID_SETUP = "INVALID_SETUP";
  /** No SETUP within the server's setup timeout (CONNECTION_ERROR; the connection is closed). */
  public static final String SETUP_TIMEOUT = "SETUP_TIMEOUT";
  /** The connection limit, total or per client address (REJECTED_SETUP; closed). */
  public static final String TOO_MANY_CONNECTIONS = "TOO_MANY_CONNECTIONS";
  /** The server is stopping (on a request, or on stream 0 as CONNECTION_CLOSE). */
  public static final String CACHE_CLOSED = "CACHE_CLOSED";
}
