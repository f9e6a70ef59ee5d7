package io.tidecache.transport.rsocket;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * Thread-safe operator (each subscription is a serial drain loop): a flow of one connection that
 * asks its source for elements only while the connection is not congested
 * ({@link OutboundBudget}), a few at a time: the answers of a stream (one at a time), and the
 * connection's inbound frames (a small batch at a time).
 *
 * <p>Implementation notes. RSocket passes the client's REQUEST_N straight on: a client asking
 * for 2^31 - 1 scan entries would have the cache produce them as fast as it can, and since every
 * element becomes a frame in rsocket-java's unbounded send queue at once, a client that asks for
 * much and reads nothing makes the server hold everything. Here the client's demand is only
 * counted; the source is asked for one element, and for the next only when that one has gone
 * out and the connection is still not congested. Once it is, the stream registers with the
 * budget and waits: it resumes when the client has read enough. So over every stream of a
 * connection at most one element per stream is produced past the point of congestion, and the
 * source is never asked for more than the client requested (the {@code cache.scan} contract of
 * WIRE-FORMAT.md). The cost is one {@code request(1)} per element, which the engine's scan
 * serves from the region it holds.
 *
 * <p>Inbound, the same holds for requests: rsocket-java asks for every frame at once, so a
 * client that sends requests and reads nothing would have every request read and answered into
 * memory. Between the socket and rsocket-java the connection's frames are asked for
 * {@code batch} at a time, and not while the connection is congested; Reactor Netty then stops
 * reading the socket by itself ({@code autoRead} off once its small inbound queue fills), so the
 * client's further requests wait in the operating system's buffers, and then in the client. At
 * most {@code batch} requests are read past the point of congestion.
 *
 * <p>The drain loop is the usual work-in-progress counter: whichever thread increments it from
 * zero (a REQUEST_N on the event loop, an element arriving on an engine thread, the relief on the
 * event loop) runs the loop until no more work was signalled.
 */
final class PacedByConnection<T> extends Flux<T> {
  /** A stream's answers: one at a time. */
  static final int ANSWERS = 1;
  /** A connection's inbound frames: a few at a time. */
  static final int FRAMES = 32;

  private final Flux<T> source;
  private final OutboundBudget budget;
  private final int batch;

  /** @param batch elements asked of the source at a time */
  PacedByConnection(Flux<T> source, OutboundBudget budget, int batch) {
    this.source = source;
    this.budget = budget;
    this.batch = batch;
  }

  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    source.subscribe(new Pacer<>(actual, budget, batch));
  }

  /** One subscription: the client's demand, and the one element asked of the source. */
  private static final class Pacer<T> implements CoreSubscriber<T>, Subscription {
    private static final AtomicLongFieldUpdater<Pacer> DEMAND =
        AtomicLongFieldUpdater.newUpdater(Pacer.class, "demand");
    private static final AtomicIntegerFieldUpdater<Pacer> WIP =
        AtomicIntegerFieldUpdater.newUpdater(Pacer.class, "wip");
    private static final AtomicIntegerFieldUpdater<Pacer> WAITING =
        AtomicIntegerFieldUpdater.newUpdater(Pacer.class, "waiting");

    private final CoreSubscriber<? super T> actual;
    private final OutboundBudget budget;
    private final int batch;
    private final Runnable onRelief = this::relieved;
    private Subscription upstream;
    private volatile long demand;
    private volatile int wip;
    private volatile int waiting;
    /** Elements asked for that have not come yet. */
    private volatile int outstanding;
    private volatile boolean cancelled;
    private boolean done;

    Pacer(CoreSubscriber<? super T> actual, OutboundBudget budget, int batch) {
      this.actual = actual;
      this.budget = budget;
      this.batch = batch;
    }

    @Override
    public reactor.util.context.Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        actual.onSubscribe(this);
      }
    }

    @Override
    public void onNext(T t) {
      if (done) {
        Operators.onNextDropped(t, actual.currentContext());
        return;
      }
      outstanding--; // only onNext lowers it, and only the drain loop raises it from 0
      if (demand != Long.MAX_VALUE) {
        DEMAND.decrementAndGet(this);
      }
      actual.onNext(t);
      if (outstanding == 0) {
        drain();
      }
    }

    @Override
    public void onError(Throwable t) {
      if (done) {
        Operators.onErrorDropped(t, actual.currentContext());
        return;
      }
      done = true;
      actual.onError(t);
    }

    @Override
    public void onComplete() {
      if (done) {
        return;
      }
      done = true;
      actual.onComplete();
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        Operators.addCap(DEMAND, this, n);
        drain();
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      upstream.cancel();
    }

    private void relieved() {
      waiting = 0;
      drain();
    }

    private void drain() {
      if (WIP.getAndIncrement(this) != 0) {
        return;
      }
      int missed = 1;
      for (;;) {
        long d = demand;
        if (!cancelled && outstanding == 0 && d > 0) {
          if (!budget.congested()) {
            int n = (int) Math.min(d, batch);
            outstanding = n;
            upstream.request(n);
          } else if (WAITING.compareAndSet(this, 0, 1)) {
            budget.whenRelieved(onRelief);
          }
        }
        missed = WIP.addAndGet(this, -missed);
        if (missed == 0) {
          return;
        }
      }
    }
  }
}
