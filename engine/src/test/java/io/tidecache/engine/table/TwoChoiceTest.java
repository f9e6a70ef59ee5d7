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
}
