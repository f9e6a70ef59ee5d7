package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.metadata.AuthMetadataCodec;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.TaggingMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import io.rsocket.util.DefaultPayload;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Thread-safe (stateless): a plain rsocket-java client for tests that must send what
 * {@link RSocketCacheClient} never would (bad routes, malformed metadata, wrong tokens). Metadata
 * is encoded with rsocket-java's own codecs, the way Spring's RSocketRequester encodes it, so
 * these tests also show that the server reads the reference encoding.
 */
final class RawRSocket {
  private RawRSocket() {}

  static final Duration WAIT = Duration.ofSeconds(10);
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  /** A connection with composite metadata and no token. */
  static RSocket connect(InetSocketAddress address) {
    return connect(address, WireFormat.COMPOSITE_METADATA, null, 0);
  }

  /**
   * A connection with the given metadata MIME type and SETUP metadata ({@code null}: none);
   * fragmenting payloads over {@code mtu} bytes (0: never).
   */
  static RSocket connect(InetSocketAddress address, String metadataMime, byte[] setupMetadata,
      int mtu) {
    RSocketConnector c = RSocketConnector.create()
        .metadataMimeType(metadataMime)
        .dataMimeType(WireFormat.OCTET_STREAM)
        .fragment(mtu);
    if (setupMetadata != null) {
      c.setupPayload(Mono.fromSupplier(() -> DefaultPayload.create(new byte[0], setupMetadata)));
    }
    return c.connect(TcpClientTransport.create(address)).block(WAIT);
  }

  /** Composite metadata with a routing entry, encoded by rsocket-java. */
  static byte[] compositeRoute(String route) {
    CompositeByteBuf composite = ALLOC.compositeBuffer();
    ByteBuf routing = TaggingMetadataCodec.createRoutingMetadata(ALLOC, List.of(route))
        .getContent();
    CompositeMetadataCodec.encodeAndAddMetadata(composite, ALLOC,
        WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, routing);
    return drain(composite);
  }

  /** A bare routing metadata (for a connection whose metadata MIME is the routing type). */
  static byte[] bareRoute(String route) {
    return drain(TaggingMetadataCodec.createRoutingMetadata(ALLOC, List.of(route)).getContent());
  }

  /** Composite SETUP metadata with a bearer token, encoded by rsocket-java. */
  static byte[] bearer(String token) {
    return authEntry(AuthMetadataCodec.encodeBearerMetadata(ALLOC, token.toCharArray()));
  }

  /** Composite SETUP metadata with simple authentication, encoded by rsocket-java. */
  static byte[] simple(String user, String password) {
    return authEntry(AuthMetadataCodec.encodeSimpleMetadata(ALLOC, user.toCharArray(),
        password.toCharArray()));
  }

  private static byte[] authEntry(ByteBuf auth) {
    CompositeByteBuf composite = ALLOC.compositeBuffer();
    CompositeMetadataCodec.encodeAndAddMetadata(composite, ALLOC,
        WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION, auth);
    return drain(composite);
  }

  /** A request payload: route in composite metadata, the given data. */
  static Payload request(String route, byte[] data) {
    return payload(data, compositeRoute(route));
  }

  /** A payload owning fresh buffers (RSocket releases them once sent). */
  static Payload payload(byte[] data, byte[] metadata) {
    return metadata == null ? ByteBufPayload.create(Unpooled.wrappedBuffer(data))
        : ByteBufPayload.create(Unpooled.wrappedBuffer(data), Unpooled.wrappedBuffer(metadata));
  }

  /** The data of a response, as a string; the payload is released. */
  static String text(Payload p) {
    try {
      return p.getDataUtf8();
    } finally {
      p.release();
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] drain(ByteBuf b) {
    try {
      byte[] out = new byte[b.readableBytes()];
      b.readBytes(out);
      return out;
    } finally {
      b.release();
    }
  }

}
