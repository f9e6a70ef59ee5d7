package io.tidecache.engine.table;

import io.tidecache.engine.TestKeys;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link MiniTable} is a faithful model of {@link ShardTable}'s eviction policy: replaying one
 * access stream through a table with a fixed window and through a model of the same buckets and
 * window, sharing one frequency sketch, gives the same hit or miss at every access. This is what
 * lets {@link WindowSizer} trust the models' ranking of windows; it also pins down the table's
 * access stamps, which a read must set on its own way only (a read that also marked a way whose
 * tag matched by chance would diverge from the model).
 */
class ShardTableMiniatureTest {
  private static final long NOW = 1;
  private static final byte[] VALUE = {1};

  @ParameterizedTest(name = "{0} buckets, window {1} of the table")
  @CsvSource({
      "1, 0.0", "1, 0.25", "1, 1.0",
      "5, 0.01", "5, 0.5",
      "40, 0.01", "40, 0.25", "40, 0.75", "40, 1.0",
      "128, 0.1", "128, 0.5"})
  void theModelHitsExactlyWhenTheTableHits(int buckets, double window) {
    long bytes = TableLayout.bytesFor(buckets, 8, 1);
    TableLayout layout = new TableLayout(8, 1, bytes);
    try (Arena arena = Arena.ofConfined()) {
      FrequencySketch sketch = new FrequencySketch(layout.capacity());
      ShardTable table = new ShardTable(arena.allocate(bytes, 64), layout, sketch,
          new double[] {window});
      MiniTable model = new MiniTable(buckets, Math.round(window * layout.capacity()), sketch);
      ReadBuffer reads = new ReadBuffer();
      SplittableRandom rnd = new SplittableRandom(buckets * 31L + (long) (window * 100));
      long hits = 0;
      int accesses = 20_000;
      for (int i = 0; i < accesses; i++) {
        long k = key(rnd, layout.capacity(), i);
        byte[] key = bytes(k);
        long hash = KeyHash.hash(key);
        boolean tableHit = table.read(key, hash, NOW, reads) != null;
        reads.drainTo(table::touch);
        if (!tableHit) {
          table.put(key, hash, VALUE, 0, NOW, true);
        }
        long before = model.takeHits();
        model.access(hash & ~ShardTable.LOCATION_BITS);
        boolean modelHit = model.takeHits() > 0;
        assertThat(before).isZero();
        assertThat(modelHit).as("access %d (key %d): the model's hit or miss", i, k)
            .isEqualTo(tableHit);
        if (tableHit) {
          hits++;
        }
      }
      // Not a trivial agreement: both hit often and miss often.
      assertThat(hits).isBetween(accesses / 10L, accesses * 9L / 10);
    }
  }

  /** A mix of a hot set, a slowly moving working set and one-off keys. */
  private static long key(SplittableRandom rnd, long capacity, int i) {
    int r = rnd.nextInt(10);
    if (r < 4) {
      return rnd.nextLong(Math.max(1, capacity / 4)); // hot
    }
    if (r < 8) {
      return 1_000_000 + i / 8 + rnd.nextLong(capacity); // drifting working set
    }
    return 1_000_000_000L + i; // seen once
  }

  private static byte[] bytes(long k) {
    return TestKeys.of(k);
  }
}
