package io.tidecache.transport.rsocket;

import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.ClientTransport;
import io.rsocket.util.DefaultPayload;
import io.tidecache.api.Disconnected;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Thread-safe: one RSocket connection to a tidecache server, shared by every
 * {@link RSocketCacheClient} made from it, kept up in the background.
 *
 * <p>Implementation notes. A loop connects, publishes the connected {@link RSocket}, waits for it
 * to close, and connects again; failures and closes back off exponentially (reset after each
 * successful connection, jittered, capped). Operations never wait for a connection: while none is
 * up, {@link #current()} fails at once with {@link Disconnected} carrying the last cause (a
 * refused connection, a rejected SETUP...). RSocket resume is deliberately not used (STACK.md).
 * The SETUP payload is built per connection attempt, inside {@code Mono.fromSupplier}.
 */
final class ClientConnection {
  private final String endpoint;
  private final AtomicReference<RSocket> current = new AtomicReference<>();
  private final AtomicReference<Throwable> lastError = new AtomicReference<>();
  private final Sinks.One<RSocket> firstConnection = Sinks.one();
  private final AtomicInteger users = new AtomicInteger(1);
  private final LongAdder connects = new LongAdder();
  private final LongAdder droppedWrites = new LongAdder();
  private final LongAdder missedReads = new LongAdder();
  private final LongAdder failedFast = new LongAdder();
  private final boolean bestEffort;
  private volatile boolean closed;
  private final Disposable loop;

  ClientConnection(String endpoint, ClientTransport transport, byte[] setupMetadata,
      int fragment, Duration minBackoff, Duration maxBackoff, boolean bestEffort) {
    this.endpoint = endpoint;
    this.bestEffort = bestEffort;
    RSocketConnector connector = RSocketConnector.create()
        .metadataMimeType(WireFormat.COMPOSITE_METADATA)
        .dataMimeType(WireFormat.OCTET_STREAM)
        .payloadDecoder(PayloadDecoder.DEFAULT)
        .fragment(fragment)
        .setupPayload(Mono.fromSupplier(() -> DefaultPayload.create(new byte[0], setupMetadata)));
    Flux<RSocket> sessions = Mono.defer(() -> connector.connect(transport))
        .flatMapMany(rs -> Flux.just(rs).concatWith(rs.onClose()
            .onErrorResume(e -> {
              lastError.set(e);
              return Mono.empty();
            })
            .then(Mono.error(() -> new Disconnected(endpoint, lastError.get())))));
    this.loop = sessions
        .doOnError(e -> {
          current.set(null);
          if (!(e instanceof Disconnected)) {
            lastError.set(e);
          }
        })
        .retryWhen(Retry.backoff(Long.MAX_VALUE, minBackoff).maxBackoff(maxBackoff)
            .jitter(0.5).transientErrors(true).filter(e -> !closed))
        .subscribe(this::connected, e -> { }, () -> { });
  }

  private void connected(RSocket rsocket) {
    if (closed) {
      rsocket.dispose();
      return;
    }
    connects.increment();
    current.set(rsocket);
    firstConnection.tryEmitValue(rsocket);
  }

  /** The connected RSocket, or a {@link Disconnected} error at once when none is up. */
  Mono<RSocket> current() {
    return Mono.defer(() -> {
      RSocket rs = current.get();
      if (rs != null && !rs.isDisposed()) {
        return Mono.just(rs);
      }
      failedFast.increment();
      return Mono.error(new Disconnected(endpoint, closed
          ? new IllegalStateException("the client is closed") : lastError.get()));
    });
  }

  /** Completes with the first connection, or fails after {@code timeout}. */
  Mono<Void> awaitFirstConnection(Duration timeout) {
    return firstConnection.asMono().timeout(timeout,
        Mono.error(() -> new Disconnected(endpoint, lastError.get()))).then();
  }

  String endpoint() { return endpoint; }

  boolean bestEffort() { return bestEffort; }

  boolean connected() {
    RSocket rs = current.get();
    return rs != null && !rs.isDisposed();
  }

  long connects() { return connects.sum(); }

  long droppedWrites() { return droppedWrites.sum(); }

  long missedReads() { return missedReads.sum(); }

  long failedFast() { return failedFast.sum(); }

  void droppedWrites(long n) { droppedWrites.add(n); }

  void missedRead() { missedReads.increment(); }

  /** One more client shares this connection. */
  void retain() { users.incrementAndGet(); }

  /** One client fewer; the last one closes the connection. */
  void release() {
    if (users.decrementAndGet() == 0) {
      closed = true;
      loop.dispose();
      RSocket rs = current.getAndSet(null);
      if (rs != null) {
        rs.dispose();
      }
    }
  }
}
