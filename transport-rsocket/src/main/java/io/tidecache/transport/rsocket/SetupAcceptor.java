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
 * Thread-safe (immutable): checks each SETUP and gives an accepted connection its
 * {@link CacheResponder}; called on the connection's event loop.
 *
 * <p>A SETUP is rejected (REJECTED_SETUP, then the connection is closed and nothing is served)
 * when its metadata MIME type is neither composite metadata nor routing, or, when the server has
 * tokens, when its composite metadata carries no authentication entry or a token that matches
 * none of them (compared in constant time). The setup payload belongs to RSocket, which releases
 * it after this returns; it is only read here.
 */
final class SetupAcceptor implements SocketAcceptor {
  private final RSocketCacheServer server;
  private final List<byte[]> tokens;

  SetupAcceptor(RSocketCacheServer server) {
    this.server = server;
    this.tokens = server.tokens().stream()
        .map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  @Override
  public Mono<RSocket> accept(ConnectionSetupPayload setup, RSocket peer) {
    ServerCounters counters = server.counters();
    String mime = setup.metadataMimeType();
    boolean composite = WireFormat.COMPOSITE_METADATA.equals(mime);
    if (!composite && !WireFormat.ROUTING.equals(mime)) {
      counters.refused(ServerCounters.Refusal.UNSUPPORTED_SETUP);
      return Mono.error(new RejectedSetupException(WireFormat.UNSUPPORTED_SETUP
          + ": metadata MIME type '" + mime + "' is not served; use " + WireFormat.COMPOSITE_METADATA
          + " (or " + WireFormat.ROUTING + " without authentication)"));
    }
    if (!tokens.isEmpty()) {
      String refusal = checkToken(setup, composite);
      if (refusal != null) {
        counters.refused(ServerCounters.Refusal.UNAUTHORIZED);
        return Mono.error(new RejectedSetupException(WireFormat.UNAUTHORIZED + ": " + refusal));
      }
    }
    counters.connectionOpened();
    peer.onClose().doFinally(s -> counters.connectionClosed()).subscribe(v -> { }, e -> { });
    return Mono.just(new CacheResponder(server, composite));
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
