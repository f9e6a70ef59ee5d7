package io.tidecache.engine;

import io.tidecache.api.TideCacheException;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * Thread-safe (immutable): the cold {@code Mono} of one shard operation. Each subscription runs
 * the operation once: a get first tries an optimistic read on the subscriber's thread; anything
 * else, or a contended read, becomes a {@link ShardOp} on the shard's queue.
 */
final class ShardMono<T> extends Mono<T> {
  private final Shard shard;
  private final int opcode;
  private final byte[] key;
  private final long hash;
  private final byte[] value;
  private final long ttlMillis;

  ShardMono(Shard shard, int opcode, byte[] key, long hash, byte[] value, long ttlMillis) {
    this.shard = shard;
    this.opcode = opcode;
    this.key = key;
    this.hash = hash;
    this.value = value;
    this.ttlMillis = ttlMillis;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void subscribe(CoreSubscriber<? super T> actual) {
    if (opcode == ShardOp.GET) {
      byte[] found;
      try {
        found = shard.readOptimistic(key, hash);
      } catch (TideCacheException e) {
        Operators.error(actual, e);
        return;
      }
      if (found == null) {
        Operators.complete(actual);
        return;
      }
      if (found != ShardTable.CONTENDED) {
        actual.onSubscribe(Operators.scalarSubscription(actual, (T) found));
        return;
      }
    }
    ShardOp op = new ShardOp((CoreSubscriber<? super Object>) actual, opcode, key, hash, value,
        ttlMillis);
    actual.onSubscribe(op);
    shard.submit(op);
  }
}
