package io.tidecache.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * The writer's bookkeeping of reads: 16-bit access stamps that must not wrap round to look new,
 * and read records that must not jam the buffer when the table's memory is gone.
 */
class StampsAndRecordsTest {
  private static final long NOW = 1;
  private static final byte[] VALUE = {1};

  /**
   * A way that sees neither a hit nor a put for more than 2^16 accesses must still be the least
   * recently used: without the periodic pinning of old stamps its age wraps round to a small
   * number, and a way last read 10,000 accesses ago was evicted in its place.
   */
  @Test
  void aWayUnusedForMoreThanTheStampRangeIsStillTheOldest() {
    long bytes = TableLayout.bytesFor(1, 8, 1);
    TableLayout layout = new TableLayout(8, 1, bytes);
    try (Arena arena = Arena.ofConfined()) {
      ShardTable table = new ShardTable(arena.allocate(bytes, 64), layout,
          new FrequencySketch(layout.capacity()), new double[] {0.0});
      ReadBuffer reads = new ReadBuffer();
      for (int k = 0; k < TableLayout.WAYS; k++) {
        table.put(key(k), KeyHash.hash(key(k)), VALUE, 0, NOW, true);
      }
      for (int i = 0; i < 60_000; i++) {
        read(table, reads, i % 14);
      }
      read(table, reads, 14);
      for (int i = 0; i < 10_000; i++) {
        read(table, reads, i % 14);
      }
      // Key 15 was last used 70,000 accesses ago, key 14 10,000 ago: 15 is the victim.
      table.put(key(99), KeyHash.hash(key(99)), VALUE, 0, NOW, false);
      assertThat(table.read(key(15), KeyHash.hash(key(15)), NOW, reads)).isNull();
      assertThat(table.read(key(14), KeyHash.hash(key(14)), NOW, reads)).isEqualTo(VALUE);
    }
  }

  /**
   * Records drained after the lease's memory is gone are dropped one by one: the buffer empties
   * (before, the first failure left a zeroed cell ahead of the saved head, every later drain
   * stopped there, and a shard with records pending never let its engine thread park).
   */
  @Test
  void recordsOfATableWhoseMemoryIsGoneAreDrainedAway() {
    long bytes = TableLayout.bytesFor(4, 8, 1);
    TableLayout layout = new TableLayout(8, 1, bytes);
    Arena arena = Arena.ofShared();
    ShardTable table = new ShardTable(arena.allocate(bytes, 64), layout);
    ReadBuffer reads = new ReadBuffer();
    for (int k = 0; k < 10; k++) {
      table.put(key(k), KeyHash.hash(key(k)), VALUE, 0, NOW, true);
    }
    for (int k = 0; k < 10; k++) {
      assertThat(table.read(key(k), KeyHash.hash(key(k)), NOW, reads)).isEqualTo(VALUE);
    }
    assertThat(reads.isEmpty()).isFalse();
    arena.close();
    assertThat(reads.drainTo(table)).isEqualTo(10);
    assertThat(reads.isEmpty()).isTrue();
    assertThat(reads.dropped()).isZero();
  }

  @Test
  void aFullRingDropsAndCountsTheRecord() {
    ReadBuffer reads = new ReadBuffer();
    for (int i = 0; i < ReadBuffer.RING + 5; i++) {
      reads.record(i + 1);
    }
    assertThat(reads.dropped()).isEqualTo(5);
  }

  private static void read(ShardTable table, ReadBuffer reads, int k) {
    assertThat(table.read(key(k), KeyHash.hash(key(k)), NOW, reads)).isEqualTo(VALUE);
    reads.drainTo(table);
  }

  private static byte[] key(long k) {
    return TestKeys.of(k);
  }
}
