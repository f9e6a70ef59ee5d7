package io.tidecache.engine;

import io.tidecache.engine.table.ShardTable;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * Thread-safe (immutable): the cold {@code Mono} of one cache operation. Each subscription runs
 * the operation once: a get first tries an optimistic read on the subscriber's thread; anything
 * else, or a read that must be serialized, becomes a {@link ShardOp} for the key's home shard.
 * One operation in {@link #SAMPLE_EVERY} is timed for the per-shard latency histograms.
 */
final class ShardMono<T> extends Mono<T> {
  static final int SAMPLE_EVERY = 64;

  private final ElasticShardSet set;
  private final int opcode;
  private final byte[] key;
  private final long hash;
  private final byte[] value;
  private final long ttlMillis;

  ShardMono(ElasticShardSet set, int opcode, byte[] key, long hash, byte[] value,
      long ttlMillis) {
    this.set = set;
    this.opcode = opcode;
    this.key = key;
    this.hash = hash;
    this.value = value;
    this.ttlMillis = ttlMillis;
  }

  /**
   * Kept small on purpose: when this is inlined into the caller (as it is in a hot loop), the
   * Mono itself needs no allocation (escape analysis); the work is in static helpers that take
   * its fields, never {@code this}.
   */
  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    long start = ThreadLocalRandom.current().nextInt(SAMPLE_EVERY) == 0 ? System.nanoTime() : 0;
    if (opcode != ShardOp.GET || !answerOptimistically(set, key, hash, actual, start)) {
      enqueue(set, actual, opcode, key, hash, value, ttlMillis, start);
    }
  }

  /** A get answered on the caller's thread, if the optimistic read can serve it. */
  @SuppressWarnings("unchecked")
  private static <T> boolean answerOptimistically(ElasticShardSet set, byte[] key, long hash,
      CoreSubscriber<? super T> actual, long start) {
    byte[] found = set.readOptimistic(key, hash);
    if (found == ShardTable.CONTENDED) {
      return false;
    }
    if (start != 0) {
      set.recordOptimisticLatency(hash, System.nanoTime() - start);
    }
    if (found == null) {
      Operators.complete(actual);
    } else {
      actual.onSubscribe(Operators.scalarSubscription(actual, (T) found));
    }
    return true;
  }

  /** An operation for the key's home shard; a put's TTL becomes its expiry here, once. */
  @SuppressWarnings("unchecked")
  private static <T> void enqueue(ElasticShardSet set, CoreSubscriber<? super T> actual,
      int opcode, byte[] key, long hash, byte[] value, long ttlMillis, long start) {
    ShardOp op = new ShardOp((CoreSubscriber<? super Object>) actual, opcode, key, hash, value,
        opcode == ShardOp.PUT ? ShardOp.expiry(set.now(), ttlMillis) : 0);
    op.startNanos = start;
    actual.onSubscribe(op);
    set.submit(op);
  }
}
