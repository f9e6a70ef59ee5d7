package io.tidecache.api;

/**
 * Thread-safe: a cache whose shard count changes at run time: the {@link ByteCache} operations
 * plus the {@link ScalingControl} that grows and shrinks it.
 */
public interface ElasticCache extends ByteCache, ScalingControl {

  /**
   * The value of {@code key} now, read on the caller's thread: a fresh array, or null when
   * absent (or expired). An embedded cache answers almost every call without a queue, a lock or
   * a Reactor signal, as a heap cache's {@code getIfPresent} does. In the rare case its read
   * cannot be served that way (the key's bucket kept changing under concurrent writes, or the key
   * is on its way between shards during a rehash), it is served by the shard's writer and the
   * caller waits for it, usually microseconds: call it from threads that may wait, and use
   * {@link #get} on event loops (a blocking wait there fails at once, as Reactor's
   * {@code block()} does).
   *
   * @throws TideCacheException for a bad key ({@link InvalidRequest}, {@link KeyTooLarge}) or a
   *     closed cache ({@link CacheClosed})
   */
  byte[] getIfPresent(byte[] key);

  /**
   * {@link #getIfPresent(byte[])} into the caller's array, allocating nothing on a hit: the
   * value's length, with the value copied to {@code into[0..length)} when it fits (when it does
   * not, {@code into} is left alone and the length says how much room it needs), or -1 when
   * absent. The same threading rule applies.
   *
   * @throws TideCacheException as {@link #getIfPresent(byte[])}
   */
  int getIfPresent(byte[] key, byte[] into);

  @Override
  default String cache() {
    return name();
  }
}
