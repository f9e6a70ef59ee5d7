package io.tidecache.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.rsocket.RSocketErrorException;
import io.rsocket.exceptions.ConnectionErrorException;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.frame.ErrorFrameCodec;
import io.rsocket.frame.FrameLengthCodec;
import io.rsocket.internal.BaseDuplexConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.netty.Connection;

/**
 * Thread-safe: one accepted RSocket connection, over TCP or WebSocket, as rsocket-java sees it
 * (its {@code DuplexConnection}), with the server's guards between the socket and rsocket-java.
 * It replaces rsocket-java's {@code TcpDuplexConnection} and {@code WebsocketDuplexConnection},
 * whose framing it repeats (a u24 length prefix on TCP, one binary message per frame on
 * WebSocket), and adds:
 * <ul>
 *   <li>inbound, on the event loop: frames are asked of the socket a few at a time, and none
 *       while the client is behind on reading its answers ({@link PacedByConnection}); every
 *       frame passes {@link InboundCheck} before rsocket-java reads it; a frame that breaks a
 *       rule refuses the connection ({@link #refuse});
 *   <li>outbound, from any thread: every frame is counted in the connection's
 *       {@link OutboundBudget} (and its stream's end noted) before it is queued;
 *   <li>closing with a reason ({@link #closeWith}): the ERROR frame goes after every frame queued
 *       before it, then the {@link Farewell} lets the client read it before the socket closes;
 *       from then on inbound frames are dropped and outbound ones released unsent.
 * </ul>
 */
final class GuardedConnection extends BaseDuplexConnection {
  /** What the server does with a connection's refusals and its end. */
  interface Owner {
    /** A frame of this connection broke a rule; the connection is being closed. */
    void violated(GuardedConnection connection, InboundCheck.Violation violation);
  }

  private final Connection connection;
  private final boolean webSocket;
  private final OutboundBudget budget;
  private final InboundCheck check;
  private final Owner owner;
  private final ServerCounters counters;
  private final Duration linger;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile WebSocketCloseStatus closeStatus = WebSocketCloseStatus.NORMAL_CLOSURE;
  private volatile String closeReason = "";
  private volatile Runnable onFirstFrame = () -> { };

  GuardedConnection(Connection connection, boolean webSocket, OutboundBudget budget,
      InboundCheck check, Owner owner, ServerCounters counters, Duration linger) {
    this.connection = connection;
    this.counters = counters;
    this.webSocket = webSocket;
    this.budget = budget;
    this.check = check;
    this.owner = owner;
    this.linger = linger;
    Mono<Void> sent = webSocket
        ? connection.outbound().sendObject(sender.map(BinaryWebSocketFrame::new)).then()
        : connection.outbound().send(sender).then();
    sent.doFinally(s -> senderDone()).subscribe(v -> { }, e -> { });
  }

  Channel channel() {
    return connection.channel();
  }

  boolean webSocket() {
    return webSocket;
  }

  OutboundBudget budget() {
    return budget;
  }

  /** The client's address (host and port). */
  InetSocketAddress client() {
    SocketAddress a = connection.channel().remoteAddress();
    return a instanceof InetSocketAddress i ? i : null;
  }

  /** Runs once, on the event loop, when the client's first frame has arrived. */
  void onFirstFrame(Runnable task) {
    this.onFirstFrame = task;
  }

  /** Whether a close with a reason has begun. */
  boolean closing() {
    return closing.get();
  }

  @Override
  public ByteBufAllocator alloc() {
    return connection.channel().alloc();
  }

  @Override
  public SocketAddress remoteAddress() {
    return connection.channel().remoteAddress();
  }

  @Override
  public void sendFrame(int streamId, ByteBuf frame) {
    check.outbound(streamId, frame);
    if (webSocket) {
      budget.added(frame.readableBytes());
      super.sendFrame(streamId, frame);
    } else {
      budget.added(frame.readableBytes() + FrameLengthCodec.FRAME_LENGTH_SIZE);
      super.sendFrame(streamId, FrameLengthCodec.encode(alloc(), frame.readableBytes(), frame));
    }
  }

  /**
   * rsocket-java's own refusals of a first frame, with the same polite close as ours: a SETUP
   * that {@link SetupAcceptor} rejected (REJECTED_SETUP, counted there), or one rsocket-java
   * refuses itself (lease, version, resume, a first frame that is no SETUP: counted here as
   * {@code INVALID_SETUP}).
   */
  @Override
  public void sendErrorAndClose(RSocketErrorException e) {
    if (!(e instanceof RejectedSetupException) && !closing.get()) {
      owner.violated(this, new InboundCheck.Violation(ServerCounters.Refusal.INVALID_SETUP, e));
    }
    closeWith(e, WebSocketCloseStatus.POLICY_VIOLATION);
  }

  /**
   * Sends {@code error} on stream 0 after the frames already queued, then closes the connection
   * once the client has read it (or after the linger). Idempotent: only the first call counts.
   */
  void closeWith(RSocketErrorException error, WebSocketCloseStatus status) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    budget.close();
    counters.streamsCut(check.openStreams());
    closeStatus = status;
    closeReason = error.getMessage();
    ByteBuf frame = ErrorFrameCodec.encode(alloc(), 0, error);
    sender.tryEmitFinal(webSocket ? frame
        : FrameLengthCodec.encode(alloc(), frame.readableBytes(), frame));
  }

  /** A rule broken by the client's frame: counted, told to the owner, and the connection closed. */
  void refuse(InboundCheck.Violation violation) {
    if (closing.get()) {
      return;
    }
    owner.violated(this, violation);
    closeWith(violation.error(), WebSocketCloseStatus.PROTOCOL_ERROR);
  }

  @Override
  protected void doOnClose() {
    if (!closing.get()) {
      connection.dispose();
    }
  }

  @Override
  public Mono<Void> onClose() {
    return Mono.whenDelayError(super.onClose(), connection.onTerminate());
  }

  @Override
  public Flux<ByteBuf> receive() {
    Flux<ByteBuf> frames = webSocket
        ? connection.inbound().receiveObject().handle(this::unwrapMessage)
        : connection.inbound().receive().map(FrameLengthCodec::frame);
    return new PacedByConnection<>(frames, budget, PacedByConnection.FRAMES)
        .handle(this::checked);
  }

  /** One WebSocket message: a whole binary message is one frame; anything else is refused. */
  private void unwrapMessage(Object message, SynchronousSink<ByteBuf> sink) {
    if (closing.get() || message instanceof PingWebSocketFrame
        || message instanceof PongWebSocketFrame) {
      return;
    }
    if (message instanceof BinaryWebSocketFrame b && b.isFinalFragment()) {
      sink.next(b.content());
      return;
    }
    String what = message instanceof BinaryWebSocketFrame
        ? "a binary WebSocket message in fragments (send each RSocket frame as one whole message)"
        : message instanceof WebSocketFrame
            ? "a WebSocket message that is not binary (" + message.getClass().getSimpleName() + ")"
            : "a message that is not a WebSocket frame";
    refuse(new InboundCheck.Violation(ServerCounters.Refusal.PROTOCOL_ERROR,
        new ConnectionErrorException(WireFormat.PROTOCOL_ERROR + ": " + what
            + "; connection closed")));
  }

  private void checked(ByteBuf frame, SynchronousSink<ByteBuf> sink) {
    if (closing.get()) {
      // Not served (Reactor Netty releases it): the client has, or will have, the closing
      // ERROR frame on stream 0, which ends every stream of the connection.
      if (frame.readableBytes() >= FrameRules.HEADER
          && FrameRules.isRequest(FrameRules.type(frame))) {
        counters.requestAfterClose();
      }
      return;
    }
    boolean first = !check.pastFirstFrame();
    InboundCheck.Verdict verdict = check.inbound(frame);
    if (first) {
      onFirstFrame.run();
    }
    switch (verdict) {
      case PASS -> sink.next(frame);
      case DROP -> { }
      case REFUSE -> refuse(check.violation());
    }
  }

  private void senderDone() {
    Channel channel = connection.channel();
    if (closing.get()) {
      channel.eventLoop().execute(() -> Farewell.start(channel, webSocket, closeStatus,
          closeReason, linger));
    } else {
      connection.dispose();
    }
  }

  @Override
  public String toString() {
    return "GuardedConnection{" + (webSocket ? "websocket " : "tcp ") + remoteAddress() + "}";
  }
}
