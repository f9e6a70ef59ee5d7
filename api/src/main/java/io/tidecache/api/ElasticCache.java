package io.tidecache.api;

/**
 * Thread-safe: a cache whose shard count changes at run time: the {@link ByteCache} operations
 * plus the {@link ScalingControl} that grows and shrinks it.
 */
public interface ElasticCache extends ByteCache, ScalingControl {

  @Override
  default String cache() {
    return name();
  }
}
