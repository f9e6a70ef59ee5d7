package io.tidecache.engine.table;

import io.tidecache.engine.TestKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
   * A drain that meets a lease's vanished memory keeps its place: the buffer still empties (a
   * failure that left a zeroed cell ahead of the saved head once stopped every later drain
   * there, and a shard with records pending never let its engine thread park).
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
    // The drain meets the vanished memory at the first record: it throws (the shard's boundary
    // sees a lost table) but keeps its place, so the next drain (into a table rebuilt on a
    // fresh lease, or into nothing while none can be had) takes the other nine.
    assertThatThrownBy(() -> reads.drainTo(table::touch))
        .isInstanceOf(IllegalStateException.class)
        .satisfies(e -> assertThat(table.lost((RuntimeException) e)).isTrue());
    assertThat(reads.drainTo(record -> { })).isEqualTo(9);
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
    reads.drainTo(table::touch);
  }

  private static byte[] key(long k) {
    return TestKeys.of(k);
  }
}
