package io.tidecache.engine;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;

/**
 * Thread-safe: one client operation travelling through shard queues, and the subscription of the
 * subscriber waiting for its result.
 *
 * <p>Whoever {@link #take()}s the operation owns it and completes it exactly once: the writer of
 * the shard that runs it, or the producer that takes it back from a shard that closed or retired
 * right after the offer. A home shard may hand a taken operation on to another shard
 * ({@link #untake()}, then offer): during a rehash that is how the home shard keeps the order of
 * a moving key's operations. The result goes through {@link Operators.MonoSubscriber}'s
 * request/complete state machine, so a value that arrives before {@code request(n)} waits for it.
 */
final class ShardOp extends Operators.MonoSubscriber<Object, Object> implements ShardTask {
  static final int GET = 0;
  static final int PUT = 1;
  static final int REMOVE = 2;

  private static final AtomicIntegerFieldUpdater<ShardOp> TAKEN =
      AtomicIntegerFieldUpdater.newUpdater(ShardOp.class, "taken");

  final int opcode;
  final byte[] key;
  final long hash;
  final byte[] value;
  /** A put's expiry on the engine clock (milliseconds), 0 for never; see {@link #expiry}. */
  final long expiresAt;
  /** Set by a home shard that forwards this operation to the key's destination during a rehash. */
  boolean forwarded;
  /** Non-zero when this operation's latency is sampled: its start, in System.nanoTime(). */
  long startNanos;
  private volatile int taken;

  ShardOp(CoreSubscriber<? super Object> actual, int opcode, byte[] key, long hash, byte[] value,
      long expiresAt) {
    super(actual);
    this.opcode = opcode;
    this.key = key;
    this.hash = hash;
    this.value = value;
    this.expiresAt = expiresAt;
  }

  /** The expiry of an entry written at {@code now} with a TTL: 0 for none; saturated. */
  static long expiry(long now, long ttlMillis) {
    if (ttlMillis == 0) {
      return 0;
    }
    return now > Long.MAX_VALUE - ttlMillis ? Long.MAX_VALUE : now + ttlMillis;
  }

  @Override
  public boolean take() {
    return taken == 0 && TAKEN.compareAndSet(this, 0, 1);
  }

  @Override
  public void untake() {
    taken = 0;
  }

  @Override
  public void abandon(Throwable why) {
    fail(why);
  }

  /** Completes with {@code result}, or empty when it is null. Only the owner calls this. */
  void succeed(Object result, Timer latency) {
    long took = startNanos != 0 ? System.nanoTime() - startNanos : 0;
    if (result == null) {
      actual.onComplete();
    } else {
      complete(result);
    }
    if (took != 0 && latency != null) {
      latency.record(took, TimeUnit.NANOSECONDS); // after the answer: a metric never holds it up
    }
  }

  void fail(Throwable error) {
    actual.onError(error);
  }
}
