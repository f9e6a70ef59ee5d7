package io.tidecache.transport.rsocket;

import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.rsocket.RSocketErrorException;
import io.rsocket.core.RSocketServer;
import io.rsocket.exceptions.ConnectionErrorException;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.frame.decoder.PayloadDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * Thread-safe: the RSocket connections of one started {@link RSocketCacheServer}, from accept to
 * close. Each accepted connection (a TCP connection, or a WebSocket after its upgrade) is
 * counted against the {@link ConnectionLimits}, given an {@link OutboundBudget} (and Netty's
 * write watermarks to match), wrapped in a {@link GuardedConnection}, given a SETUP timeout, and
 * handed to rsocket-java with a {@link SetupAcceptor} of its own, so that the responder it makes
 * knows its connection. Refusals are counted and told to the server's refusal listener.
 *
 * <p>One rsocket-java {@code RSocketServer} is built per connection for that reason: its
 * acceptor is the only place rsocket-java lets the server reach the connection a SETUP came on.
 * Building one is a handful of small objects, once per connection.
 */
final class ConnectionHub implements GuardedConnection.Owner {
  /** How long a connection closed with a reason waits for its client to close first. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private final RSocketCacheServer server;
  private final ServerCounters counters;
  private final ConnectionLimits limits;
  private final Set<GuardedConnection> live = ConcurrentHashMap.newKeySet();

  ConnectionHub(RSocketCacheServer server) {
    this.server = server;
    this.counters = server.counters();
    this.limits = new ConnectionLimits(server.maxConnections(), server.maxConnectionsPerAddress());
  }

  /**
   * Serves one accepted connection; completes when rsocket-java has set it up (the connection
   * stays open after that), fails when the setup failed.
   */
  Mono<Void> accept(Connection c, boolean webSocket) {
    Channel channel = c.channel();
    int high = server.outboundBuffer();
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
    OutboundBudget budget = new OutboundBudget(channel, high, counters);
    c.addHandlerLast(OutboundMeter.NAME, new OutboundMeter(budget));
    InboundCheck check = new InboundCheck(Math.max(1024, 4 * server.maxInFlight()));
    GuardedConnection g = new GuardedConnection(c, webSocket, budget, check, this, counters,
        LINGER);
    channel.attr(FrameLimitGuard.CONNECTION).set(g);
    InetSocketAddress client = g.client();
    InetAddress address = client == null ? null : client.getAddress();
    String full = limits.tryOpen(address);
    if (full != null) {
      refused(g, ServerCounters.Refusal.TOO_MANY_CONNECTIONS, new RejectedSetupException(
          WireFormat.TOO_MANY_CONNECTIONS + ": " + full + "; connection closed"));
      g.receive().subscribe(f -> { }, e -> { }); // read (and drop) until the client closes
      return Mono.never();
    }
    live.add(g);
    counters.budget(budget, true);
    counters.awaitingSetup(1);
    AtomicBoolean awaiting = new AtomicBoolean(true);
    Runnable setupOver = () -> {
      if (awaiting.compareAndSet(true, false)) {
        counters.awaitingSetup(-1);
      }
    };
    long timeoutNanos = server.setupTimeout().toNanos();
    var timer = channel.eventLoop().schedule(() -> {
      setupOver.run();
      if (!g.closing()) {
        refused(g, ServerCounters.Refusal.SETUP_TIMEOUT, new ConnectionErrorException(
            WireFormat.SETUP_TIMEOUT + ": no SETUP frame within "
                + server.setupTimeout().toMillis() + " ms of connecting; connection closed"));
      }
    }, timeoutNanos, TimeUnit.NANOSECONDS);
    g.onFirstFrame(() -> {
      timer.cancel(false);
      setupOver.run();
    });
    channel.closeFuture().addListener(f -> {
      timer.cancel(false);
      setupOver.run();
      budget.close();
      counters.budget(budget, false);
      live.remove(g);
      limits.closed(address);
    });
    return RSocketServer.create(new SetupAcceptor(server, g))
        .payloadDecoder(PayloadDecoder.ZERO_COPY)
        .maxInboundPayloadSize(server.maxPayload())
        .fragment(server.fragment())
        // rsocket-java's own wait for a first frame, after ours (which answers and counts)
        .maxTimeToFirstFrame(server.setupTimeout().plus(LINGER).plus(LINGER))
        .asConnectionAcceptor(server.maxFrame())
        .apply(g);
  }

  @Override
  public void violated(GuardedConnection g, InboundCheck.Violation v) {
    counters.refused(v.refusal());
    server.refusalListener().accept(new ConnectionRefusal(g.webSocket() ? "websocket" : "tcp",
        g.client(), v.refusal(), v.message()));
  }

  /** A refusal of the connection itself: counted, told, and the connection closed politely. */
  void refused(GuardedConnection g, ServerCounters.Refusal reason, RSocketErrorException error) {
    g.refuse(new InboundCheck.Violation(reason, error));
  }

  /** Connections open now (counted against the limits). */
  int open() {
    return limits.open();
  }

  /**
   * Closes every connection with {@code error} on stream 0, after the frames already queued on
   * it, and waits (at most the linger and a little more) for them to close: the last step of a
   * graceful stop.
   */
  Mono<Void> closeAll(RSocketErrorException error) {
    return Mono.defer(() -> {
      List<Mono<Void>> closed = new ArrayList<>();
      for (GuardedConnection g : live) {
        Channel ch = g.channel();
        // On the connection's event loop, where its requests are handled: a request is then
        // either handled (and its answer queued) before the frame, or dropped after it, never
        // answered into a send queue that has just been closed.
        ch.eventLoop().execute(() -> {
          if (!g.closing()) {
            counters.countClosedByStop();
          }
          g.closeWith(error, WebSocketCloseStatus.ENDPOINT_UNAVAILABLE);
        });
        closed.add(Mono.create(sink -> ch.closeFuture().addListener(f -> sink.success())));
      }
      return Mono.when(closed).timeout(LINGER.plus(LINGER), Mono.empty());
    });
  }
}
