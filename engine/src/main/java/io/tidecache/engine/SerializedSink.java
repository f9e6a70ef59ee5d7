package io.tidecache.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;

/**
 * Thread-safe: a hot stream any thread may signal (next, complete, error) without blocking,
 * spinning or throwing. Signals go into a lock-free queue and the signaller that raises the
 * work-in-progress count from zero drains them into an unsynchronized Reactor sink, so exactly one
 * thread emits at a time (the serialization pattern of Reactor's own operators).
 *
 * @param <T> the element type
 */
final class SerializedSink<T> {
  private final Sinks.Many<T> sink;
  private final ConcurrentLinkedQueue<Object> pending = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  private final LongAdder subscriberFailures = new LongAdder();

  private record Terminal(Throwable error) {}

  private SerializedSink(Sinks.Many<T> sink) {
    this.sink = sink;
  }

  /** Subscribers see only what comes after they subscribe; slow ones miss elements. */
  static <T> SerializedSink<T> multicast() {
    return new SerializedSink<>(Sinks.unsafe().many().multicast().directBestEffort());
  }

  /** Subscribers first see the latest element (or the terminal signal), then what follows. */
  static <T> SerializedSink<T> latest() {
    return new SerializedSink<>(Sinks.unsafe().many().replay().latest());
  }

  void next(T value) {
    signal(value);
  }

  void complete() {
    signal(new Terminal(null));
  }

  void error(Throwable e) {
    signal(new Terminal(e));
  }

  /** Each subscriber is isolated: one whose {@code onNext} throws is cancelled, alone. */
  Flux<T> asFlux() {
    Flux<T> source = sink.asFlux();
    return Flux.from(s -> source.subscribe(new IsolatedSubscriber<T>(
        Operators.toCoreSubscriber(s), subscriberFailures)));
  }

  /** Subscribers cancelled because they threw from a signal (see {@link IsolatedSubscriber}). */
  long subscriberFailures() {
    return subscriberFailures.sum();
  }

  @SuppressWarnings("unchecked")
  private void signal(Object s) {
    pending.offer(s);
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Object o;
      while ((o = pending.poll()) != null) {
        try {
          if (o instanceof Terminal t) {
            if (t.error() == null) {
              sink.tryEmitComplete();
            } else {
              sink.tryEmitError(t.error());
            }
          } else {
            sink.tryEmitNext((T) o);
          }
        } catch (Throwable e) {
          // Subscribers are isolated, so only a JVM-fatal error gets here: keep the count right
          // (or no signal would ever be emitted again), then let it go.
          wip.set(0);
          throw e;
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }
}
