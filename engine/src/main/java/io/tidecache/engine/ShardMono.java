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

  @Override
  @SuppressWarnings("unchecked")
  public void subscribe(CoreSubscriber<? super T> actual) {
    boolean sampled = ThreadLocalRandom.current().nextInt(SAMPLE_EVERY) == 0;
    long start = sampled ? System.nanoTime() : 0;
    if (opcode == ShardOp.GET) {
      byte[] found = set.readOptimistic(key, hash);
      if (found != ShardTable.CONTENDED) {
        if (sampled) {
          set.recordOptimisticLatency(hash, System.nanoTime() - start);
        }
        if (found == null) {
          Operators.complete(actual);
        } else {
          actual.onSubscribe(Operators.scalarSubscription(actual, (T) found));
        }
        return;
      }
    }
    ShardOp op = new ShardOp((CoreSubscriber<? super Object>) actual, opcode, key, hash, value,
        opcode == ShardOp.PUT ? ShardOp.expiry(set.now(), ttlMillis) : 0);
    op.startNanos = start;
    actual.onSubscribe(op);
    set.submit(op);
  }
}
