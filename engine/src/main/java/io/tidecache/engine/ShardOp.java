package io.tidecache.engine;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;

/**
 * Thread-safe: one operation travelling through a shard's queue, and the subscription of the
 * subscriber waiting for its result.
 *
 * <p>Completed exactly once: the shard's writer and, in the close race, the producer that
 * offered it may both try; {@link #claim()} lets only the first one signal. The result is
 * delivered with {@link Operators.MonoSubscriber}'s request/complete state machine, so a value
 * that arrives before {@code request(n)} waits for it. Signals are delivered on the thread that
 * completes the operation, usually the shard's engine thread.
 */
final class ShardOp extends Operators.MonoSubscriber<Object, Object> {
  static final int GET = 0;
  static final int PUT = 1;
  static final int REMOVE = 2;

  private static final AtomicIntegerFieldUpdater<ShardOp> CLAIMED =
      AtomicIntegerFieldUpdater.newUpdater(ShardOp.class, "claimed");

  final int opcode;
  final byte[] key;
  final long hash;
  final byte[] value;
  final long ttlMillis;
  private volatile int claimed;

  ShardOp(CoreSubscriber<? super Object> actual, int opcode, byte[] key, long hash, byte[] value,
      long ttlMillis) {
    super(actual);
    this.opcode = opcode;
    this.key = key;
    this.hash = hash;
    this.value = value;
    this.ttlMillis = ttlMillis;
  }

  private boolean claim() {
    return claimed == 0 && CLAIMED.compareAndSet(this, 0, 1);
  }

  /** Completes with {@code result}, or empty when it is null. */
  void succeed(Object result) {
    if (claim()) {
      if (result == null) {
        actual.onComplete();
      } else {
        complete(result);
      }
    }
  }

  void fail(Throwable error) {
    if (claim()) {
      actual.onError(error);
    }
  }
}
