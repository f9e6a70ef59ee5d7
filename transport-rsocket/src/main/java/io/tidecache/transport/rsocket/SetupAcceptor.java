package io.tidecache.transport.rsocket;

import io.rsocket.ConnectionSetupPayload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.exceptions.RejectedSetupException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Thread-safe (immutable): checks the SETUP of one connection and gives it, when accepted, its
 * {@link CacheResponder}; called on the connection's event loop. One per connection
 * ({@link ConnectionHub}), so the responder knows the connection it serves.
 *
 * <p>A SETUP is rejected (REJECTED_SETUP, then the connection is closed and nothing is served)
 * when its metadata MIME type is neither composite metadata nor routing, or, when the server has
 * tokens, when its composite metadata carries no authentication entry or a token that matches
 * none of them (compared in constant time). The setup payload belongs to RSocket, which releases
 * it after this returns; it is only read here.
 */
final class SetupAcceptor implements SocketAcceptor {
  private final RSocketCacheServer server;
  private final GuardedConnection connection;
  private final List<byte[]> tokens;

  SetupAcceptor(RSocketCacheServer server, GuardedConnection connection) {
    this.server = server;
    this.connection = connection;
    this.tokens = server.tokenBytes();
  }

  @Override
  public Mono<RSocket> accept(ConnectionSetupPayload setup, RSocket peer) {
    ServerCounters counters = server.counters();
    String mime = setup.metadataMimeType();
    boolean composite = WireFormat.COMPOSITE_METADATA.equals(mime);
    if (!composite && !WireFormat.ROUTING.equals(mime)) {
      return refused(ServerCounters.Refusal.UNSUPPORTED_SETUP, WireFormat.UNSUPPORTED_SETUP
          + ": metadata MIME type '" + mime + "' is not served; use " + WireFormat.COMPOSITE_METADATA
          + " (or " + WireFormat.ROUTING + " without authentication)");
    }
    if (!tokens.isEmpty()) {
      String refusal = checkToken(setup, composite);
      if (refusal != null) {
        return refused(ServerCounters.Refusal.UNAUTHORIZED, WireFormat.UNAUTHORIZED + ": "
            + refusal);
      }
    }
    counters.connectionOpened();
    peer.onClose().doFinally(s -> counters.connectionClosed()).subscribe(v -> { }, e -> { });
    return Mono.just(new CacheResponder(server, composite, connection.budget()));
  }

  /** A refused SETUP: counted, told to the listener; rsocket-java sends it and closes. */
  private Mono<RSocket> refused(ServerCounters.Refusal reason, String message) {
    RejectedSetupException e = new RejectedSetupException(message);
    server.counters().refused(reason);
    server.refusalListener().accept(new ConnectionRefusal(
        connection.webSocket() ? "websocket" : "tcp", connection.client(), reason, message));
    return Mono.error(e);
  }

  /** Why the SETUP's token is refused, or {@code null} when it is accepted. */
  private String checkToken(ConnectionSetupPayload setup, boolean composite) {
    if (!composite || !setup.hasMetadata()) {
      return "this server needs a token in the " + WireFormat.AUTHENTICATION
          + " entry of composite SETUP metadata";
    }
    String token;
    try {
      token = MetadataCodec.readToken(setup.metadata());
    } catch (WireException e) {
      return e.getMessage();
    }
    if (token == null) {
      return "no " + WireFormat.AUTHENTICATION + " entry in the SETUP metadata";
    }
    byte[] given = token.getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (byte[] t : tokens) {
      match |= MessageDigest.isEqual(t, given);
    }
    return match ? null : "the token is not accepted";
  }
}
