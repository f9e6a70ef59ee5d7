package io.tidecache.engine;

import java.util.concurrent.atomic.LongAdder;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Thread-safe as a Reactive Streams subscriber (serial signals): stands between an engine event
 * stream and one subscriber, so that a subscriber whose {@code onNext} throws loses its own
 * subscription and nothing else.
 *
 * <p>Implementation notes. Engine events are emitted synchronously, on engine threads, the lease
 * timer, or whichever thread publishes; a multicast sink calls its subscribers one after another.
 * An exception thrown from one subscriber's {@code onNext} used to climb out through the emitter:
 * it ended the lease-renewal chain that was publishing (the shard then lost its lease), cut the
 * event off from the subscribers after it, and left the emitting sink's drain loop with its
 * work-in-progress count raised, so no event was ever emitted again. Here the exception is caught
 * at the subscriber's edge: the faulty subscriber is cancelled (the Reactive Streams rule for a
 * subscriber that broke its contract), the error goes to Reactor's dropped-error hook, and it is
 * counted in {@code failures}. JVM-fatal errors still propagate.
 *
 * @param <T> the element type
 */
final class IsolatedSubscriber<T> implements CoreSubscriber<T>, Subscription {
  private final CoreSubscriber<? super T> actual;
  private final LongAdder failures;
  private Subscription upstream;
  private volatile boolean failed;

  IsolatedSubscriber(CoreSubscriber<? super T> actual, LongAdder failures) {
    this.actual = actual;
    this.failures = failures;
  }

  @Override
  public Context currentContext() {
    return actual.currentContext();
  }

  @Override
  public void onSubscribe(Subscription s) {
    upstream = s;
    actual.onSubscribe(this);
  }

  @Override
  public void onNext(T t) {
    if (failed) {
      return;
    }
    try {
      actual.onNext(t);
    } catch (Throwable e) {
      fail(e);
    }
  }

  @Override
  public void onError(Throwable t) {
    if (!failed) {
      try {
        actual.onError(t);
      } catch (Throwable e) {
        fail(e);
      }
    }
  }

  @Override
  public void onComplete() {
    if (!failed) {
      try {
        actual.onComplete();
      } catch (Throwable e) {
        fail(e);
      }
    }
  }

  private void fail(Throwable e) {
    Exceptions.throwIfJvmFatal(e);
    failed = true;
    failures.increment();
    upstream.cancel();
    Operators.onErrorDropped(e, actual.currentContext());
  }

  @Override
  public void request(long n) {
    upstream.request(n);
  }

  @Override
  public void cancel() {
    upstream.cancel();
  }
}
