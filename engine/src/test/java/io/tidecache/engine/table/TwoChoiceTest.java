package io.tidecache.engine.table;

import io.tidecache.engine.TestKeys;
import io.tidecache.engine.table.TableLayout;
import io.tidecache.engine.table.ShardTable;
import io.tidecache.engine.table.ReadBuffer;
import io.tidecache.engine.table.KeyHash;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A key lives in its home bucket or the next one of its group ({@link TableLayout#altBucket}):
 * the table fills both before it evicts, finds a key in either, and never lets the second bucket
 * leave the home's group (a scan region and a move fence cover whole groups).
 */
class TwoChoiceTest {
  private static final long NOW = 1;
  private static final byte[] VALUE = {1};

  @Test
  void theSecondBucketIsTheNextOneInTheSameGroupAndEveryGroupIsACycle() {
    for (int buckets = 1; buckets <= 100; buckets++) {
      for (int b = 0; b < buckets; b++) {
        int alt = TableLayout.altBucket(b, buckets);
        int first = b / TableLayout.GROUP_BUCKETS * TableLayout.GROUP_BUCKETS;
        int size = Math.min(TableLayout.GROUP_BUCKETS, buckets - first);
        assertThat(alt / TableLayout.GROUP_BUCKETS).as("group of %d's alt, %d buckets", b, buckets)
            .isEqualTo(b / TableLayout.GROUP_BUCKETS);
        assertThat(alt).isEqualTo(first + (b - first + 1) % size);
      }
    }
  }

  @Test
  void keysOfOneHomeFillBothBucketsBeforeAnyIsEvicted() {
    long bytes = TableLayout.bytesFor(2, 8, 1);
    TableLayout layout = new TableLayout(8, 1, bytes);
    try (Arena arena = Arena.ofConfined()) {
      ShardTable table = new ShardTable(arena.allocate(bytes, 64), layout);
      ReadBuffer reads = new ReadBuffer();
      List<byte[]> keys = keysWithHome(layout, 0, 2 * TableLayout.WAYS);
      for (byte[] key : keys) {
        assertThat(table.put(key, KeyHash.hash(key), VALUE, 0, NOW, true)).isTrue();
      }
      // One bucket holds 16: the other 16 went to bucket 1, and nothing was evicted.
      table.publish();
      assertThat(table.entries()).isEqualTo(2 * TableLayout.WAYS);
      assertThat(table.evictions()).isZero();
      for (byte[] key : keys) {
        long hash = KeyHash.hash(key);
        assertThat(table.read(key, hash, NOW, reads)).as("optimistic read").isEqualTo(VALUE);
        assertThat(table.get(key, hash, NOW)).as("writer's get").isEqualTo(VALUE);
      }
      // Found and removed in whichever bucket it went to.
      for (byte[] key : keys.subList(0, TableLayout.WAYS)) {
        assertThat(table.remove(key, KeyHash.hash(key), NOW)).isTrue();
      }
      for (byte[] key : keys.subList(TableLayout.WAYS, keys.size())) {
        assertThat(table.extract(key, KeyHash.hash(key), NOW).value()).isEqualTo(VALUE);
      }
      table.publish();
      assertThat(table.entries()).isZero();
      // A 33rd key with the same home evicts: the two buckets are full.
      List<byte[]> more = keysWithHome(layout, 0, 2 * TableLayout.WAYS + 1);
      for (byte[] key : more) {
        table.put(key, KeyHash.hash(key), VALUE, 0, NOW, false);
      }
      table.publish();
      assertThat(table.entries()).isEqualTo(2 * TableLayout.WAYS);
      assertThat(table.evictions()).isEqualTo(1);
    }
  }

  @Test
  void aTableOfOneBucketHasOneChoice() {
    long bytes = TableLayout.bytesFor(1, 8, 1);
    TableLayout layout = new TableLayout(8, 1, bytes);
    try (Arena arena = Arena.ofConfined()) {
      ShardTable table = new ShardTable(arena.allocate(bytes, 64), layout);
      for (long k = 0; k < 2 * TableLayout.WAYS; k++) {
        byte[] key = bytes(k);
        table.put(key, KeyHash.hash(key), VALUE, 0, NOW, false);
      }
      table.publish();
      assertThat(table.entries()).isEqualTo(TableLayout.WAYS);
      assertThat(table.evictions()).isEqualTo(TableLayout.WAYS);
    }
  }

  private static List<byte[]> keysWithHome(TableLayout layout, int home, int n) {
    List<byte[]> keys = new ArrayList<>();
    for (long k = 0; keys.size() < n; k++) {
      byte[] key = bytes(k);
      if (layout.bucketIndex(KeyHash.hash(key)) == home) {
        keys.add(key);
      }
    }
    return keys;
  }

  private static byte[] bytes(long k) {
    return TestKeys.of(k);
  }

  /**
   * Each home bucket counts its keys that live in its other bucket, so that a miss probes one
   * bucket when the count is 0. Under random puts (evicting), removes and expiries of keys from
   * every home of a small table, the count always matches where the keys are, and no live key
   * reads as missing.
   */
  @Test
  void everyHomeCountsItsKeysLivingNextDoor() {
    long bytes = TableLayout.bytesFor(20, 8, 1);
    TableLayout layout = new TableLayout(8, 1, bytes);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
    int keySpace = 1_000;
    long[] expiresAt = new long[keySpace]; // as written by this test; evictions aside
    try (Arena arena = Arena.ofConfined()) {
      ShardTable table = new ShardTable(arena.allocate(bytes, 64), layout);
      ReadBuffer reads = new ReadBuffer();
      for (int step = 1; step <= 20_000; step++) {
        int k = rnd.nextInt(keySpace);
        byte[] key = io.tidecache.engine.TestKeys.of(k);
        long hash = KeyHash.hash(key);
        int dice = rnd.nextInt(10);
        if (dice < 6) {
          long exp = dice == 0 ? step + 50 : 0;
          if (table.put(key, hash, VALUE, exp, step, rnd.nextBoolean())) {
            expiresAt[k] = exp;
          }
        } else if (dice < 8) {
          table.remove(key, hash, step);
        } else {
          table.sweep(2, step);
        }
        if (step % 97 == 0) {
          int[] out = new int[layout.buckets];
          for (int j = 0; j < keySpace; j++) {
            byte[] kb = io.tidecache.engine.TestKeys.of(j);
            long h = KeyHash.hash(kb);
            int at = table.bucketOf(kb, h);
            if (at >= 0 && at != layout.bucketIndex(h)) {
              out[layout.bucketIndex(h)]++;
            }
          }
          for (int b = 0; b < layout.buckets; b++) {
            assertThat(table.altOut(b)).as("bucket %d at step %d", b, step).isEqualTo(out[b]);
          }
          for (int j = 0; j < keySpace; j++) {
            byte[] kb = io.tidecache.engine.TestKeys.of(j);
            long h = KeyHash.hash(kb);
            boolean live = table.bucketOf(kb, h) >= 0
                && (expiresAt[j] == 0 || expiresAt[j] > step);
            if (live) {
              assertThat(table.read(kb, h, step, reads)).as("live key %d at step %d", j, step)
                  .isNotNull();
            }
          }
          reads.drainTo(table::touch);
        }
      }
    }
  }
}
