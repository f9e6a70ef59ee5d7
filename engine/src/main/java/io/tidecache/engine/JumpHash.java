package io.tidecache.engine;

import io.tidecache.engine.table.KeyHash;

/**
 * Thread-safe (stateless): jump consistent hash, J. Lamping and E. Veach, "A Fast, Minimal Memory,
 * Consistent Hash Algorithm", arXiv:1406.2294, 2014.
 *
 * <p>Maps a key to one of {@code n} shards so that going from {@code n} to {@code n + 1} moves
 * exactly the keys that land on the new last shard (about {@code 1/(n+1)} of them), and going
 * back moves only the keys of the removed last shard: the minimal movement that add-last and
 * remove-last need. The key is re-mixed first so that the shard choice is independent of the hash
 * bits the table uses inside a shard (bucket index and tag).
 */
final class JumpHash {
  private JumpHash() {}

  static int shard(long hash, int shards) {
    long key = KeyHash.fmix64(hash ^ 0x5DEECE66DL);
    long b = -1;
    long j = 0;
    while (j < shards) {
      b = j;
      key = key * 2862933555777941757L + 1;
      j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
    }
    return (int) b;
  }
}
