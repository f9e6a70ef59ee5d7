package io.tidecache.engine;

/**
 * Immutable: which shard owns a key, as one snapshot of an elastic shard set.
 *
 * <p>{@code owners} is the shard count keys are routed by ("home"). While a rehash runs,
 * {@code target} differs: a key whose destination {@code shard(h, target)} differs from its home
 * is moving, and its home shard's thread is the serialization point for it until the rehash
 * completes and a new snapshot with {@code owners == target} is published. A snapshot is replaced,
 * never changed, so a reader can detect a change by identity.
 */
final class Routing {
  final Shard[] shards;
  final int owners;
  final int target;

  Routing(Shard[] shards, int owners, int target) {
    this.shards = shards;
    this.owners = owners;
    this.target = target;
  }

  boolean migrating() {
    return owners != target;
  }

  int home(long hash) {
    return owners == 1 ? 0 : JumpHash.shard(hash, owners);
  }

  int dest(long hash) {
    return target == 1 ? 0 : JumpHash.shard(hash, target);
  }

  /** True when a read of this key may go straight to its home shard's table. */
  boolean settled(long hash, int home) {
    return owners == target || dest(hash) == home;
  }
}
