package io.tidecache.loadtest.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.rsocket.ConnectionSetupPayload;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.ServerTransport;
import io.rsocket.transport.netty.RSocketLengthCodec;
import io.rsocket.transport.netty.TcpDuplexConnection;
import io.rsocket.util.DefaultPayload;
import io.tidecache.transport.rsocket.RSocketCacheServer;
import io.tidecache.transport.rsocket.Route;
import io.tidecache.transport.rsocket.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/**
 * The echo server child of {@link NetworkBenchmark}: the floor of what RSocket costs here without
 * the cache. It is built as {@link RSocketCacheServer} builds its TCP transport (rsocket-java
 * {@code RSocketServer} with {@link PayloadDecoder#ZERO_COPY}, the same inbound payload limit,
 * fragment size and frame limit, a Reactor Netty {@code TcpServer} on 127.0.0.1 with
 * {@link RSocketLengthCodec} and one more pass-through handler where tidecache has its frame
 * limit guard, then {@link TcpDuplexConnection}), accepts the same SETUP metadata MIME types,
 * and answers each request-response after the same routing parse tidecache does (the first tag
 * of the composite metadata's routing entry, then {@link Route#parse}) with a copy of the
 * request's data; the inbound payload is released exactly once, in a {@code finally}.
 *
 * <p>What it does not do, unlike tidecache: no cache lookup, no in-flight admission counting, no
 * error mapping operators. Its answer is the request's data, so a "GET" answers the 16-byte key
 * (tidecache: the 64-byte value) and a "SET" answers the 90-byte put data (tidecache: an empty
 * COMPLETE).
 *
 * <p>Announces {@code NETBENCH PORT <port>} and {@code NETBENCH READY} on stdout, and serves
 * until its stdin is closed.
 */
public final class EchoServerMain {
  private EchoServerMain() {}

  public static void main(String[] args) throws IOException {
    int maxFrame = RSocketCacheServer.DEFAULT_MAX_FRAME;
    RSocketServer rsocket = RSocketServer.create(new EchoAcceptor())
        .payloadDecoder(PayloadDecoder.ZERO_COPY)
        .maxInboundPayloadSize(RSocketCacheServer.DEFAULT_MAX_PAYLOAD)
        .fragment(Math.min(1 << 20, maxFrame));
    ServerTransport.ConnectionAcceptor acceptor = rsocket.asConnectionAcceptor(maxFrame);
    PassThrough guard = new PassThrough();
    DisposableServer server = TcpServer.create().host("127.0.0.1").port(0)
        .doOnConnection(c -> {
          c.addHandlerLast(new RSocketLengthCodec(maxFrame));
          c.addHandlerLast("netbench.passThrough", guard);
          acceptor.apply(new TcpDuplexConnection("server", c))
              .then(Mono.<Void>never())
              .subscribe(c.disposeSubscriber());
        })
        .bindNow();
    System.out.println(Child.PROTOCOL + "PORT "
        + ((java.net.InetSocketAddress) server.address()).getPort());
    System.out.println(Child.PROTOCOL + "READY echo");
    System.out.flush();

    while (System.in.read() != -1) {
      // serve until stdin ends
    }
    server.disposeNow();
    System.exit(0);
  }

  /** Stands where tidecache's frame-limit guard sits in the pipeline; passes everything on. */
  @ChannelHandler.Sharable
  static final class PassThrough extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.fireExceptionCaught(cause);
    }
  }

  /** Accepts composite-metadata or routing SETUPs, as tidecache does (no tokens). */
  static final class EchoAcceptor implements SocketAcceptor {
    @Override
    public Mono<RSocket> accept(ConnectionSetupPayload setup, RSocket peer) {
      String mime = setup.metadataMimeType();
      boolean composite = WireFormat.COMPOSITE_METADATA.equals(mime);
      if (!composite && !WireFormat.ROUTING.equals(mime)) {
        return Mono.error(new RejectedSetupException("UNSUPPORTED_SETUP: metadata MIME type '"
            + mime + "' is not served"));
      }
      return Mono.just(new Echo(composite));
    }
  }

  /** Answers request-response with a copy of the request's data. */
  static final class Echo implements RSocket {
    private final boolean composite;

    Echo(boolean composite) {
      this.composite = composite;
    }

    @Override
    public Mono<Payload> requestResponse(Payload payload) {
      try {
        String name = readRoute(payload.metadata(), composite);
        if (Route.parse(name).isEmpty()) {
          return Mono.error(new ApplicationErrorException("UNKNOWN_ROUTE: no route '" + name
              + "'"));
        }
        return Mono.just(DefaultPayload.create(ByteBufUtil.getBytes(payload.data())));
      } catch (IllegalArgumentException e) {
        return Mono.error(new ApplicationErrorException("BAD_METADATA: " + e.getMessage()));
      } finally {
        payload.release();
      }
    }

    @Override
    public Mono<Void> fireAndForget(Payload payload) {
      payload.release();
      return Mono.error(new ApplicationErrorException("UNKNOWN_ROUTE: not served"));
    }

    @Override
    public Flux<Payload> requestStream(Payload payload) {
      payload.release();
      return Flux.error(new ApplicationErrorException("UNKNOWN_ROUTE: not served"));
    }

    @Override
    public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
      return Flux.from(payloads).doOnNext(Payload::release)
          .thenMany(Flux.error(new ApplicationErrorException("UNKNOWN_ROUTE: not served")));
    }

    @Override
    public Mono<Void> metadataPush(Payload payload) {
      payload.release();
      return Mono.error(new ApplicationErrorException("UNKNOWN_ROUTE: not served"));
    }
  }

  /**
   * The route: the first tag of the routing entry of composite metadata (or of bare routing
   * metadata), read the way tidecache's transport reads it (absolute gets, every length checked,
   * the buffer's indexes untouched).
   */
  static String readRoute(ByteBuf m, boolean composite) {
    int start = m.readerIndex();
    int end = m.writerIndex();
    if (start == end) {
      throw new IllegalArgumentException("the request has no metadata");
    }
    if (composite) {
      int i = start;
      boolean found = false;
      while (i < end) {
        int head = m.getUnsignedByte(i++);
        boolean match;
        if ((head & 0x80) != 0) {
          match = (head & 0x7F) == 0x7E;
        } else {
          int mimeLength = (head & 0x7F) + 1;
          if (i + mimeLength > end) {
            throw new IllegalArgumentException("a composite entry's MIME type runs past the end");
          }
          match = WireFormat.ROUTING.equals(m.toString(i, mimeLength, StandardCharsets.US_ASCII));
          i += mimeLength;
        }
        if (i + 3 > end) {
          throw new IllegalArgumentException("a composite entry is cut short before its length");
        }
        int length = m.getUnsignedMedium(i);
        i += 3;
        if (i + length > end) {
          throw new IllegalArgumentException("a composite entry runs past the end");
        }
        if (match) {
          start = i;
          end = i + length;
          found = true;
          break;
        }
        i += length;
      }
      if (!found) {
        throw new IllegalArgumentException("no routing entry");
      }
    }
    if (end - start < 1) {
      throw new IllegalArgumentException("the routing entry is empty");
    }
    int tagLength = m.getUnsignedByte(start);
    if (tagLength == 0 || start + 1 + tagLength > end) {
      throw new IllegalArgumentException("the first routing tag runs past the end");
    }
    return m.toString(start + 1, tagLength, StandardCharsets.UTF_8);
  }
}
