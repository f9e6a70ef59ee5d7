package io.tidecache.engine.table;

import io.tidecache.engine.TestKeys;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The eviction policy of {@link ShardTable} on deterministic access sequences, replayed as the
 * engine runs them: a read on the caller's side (recorded in the {@link ReadBuffer}), the
 * writer's drain of that record, and on a miss a put with admission. Each test states what an
 * adaptive W-TinyLFU must do that neither plain LRU nor plain TinyLFU does both of: keep a hot
 * set through a scan (LRU would not), and follow a working set that moves (TinyLFU without a
 * window turns the newcomers away while the old keys' counts decay).
 */
class WindowTinyLfuTest {
  private static final int BUCKETS = 64; // 1,024 entries
  private static final long NOW = 1;
  private static final byte[] VALUE = {7};

  private Arena arena;
  private ShardTable table;
  private ReadBuffer reads;

  @BeforeEach
  void openTable() {
    arena = Arena.ofConfined();
    long bytes = TableLayout.bytesFor(BUCKETS, 8, 1);
    table = new ShardTable(arena.allocate(bytes, 64), new TableLayout(8, 1, bytes));
    reads = new ReadBuffer();
  }

  @AfterEach
  void closeTable() {
    arena.close();
  }

  /** One access as the engine runs it; true on a hit. */
  private boolean access(long k) {
    byte[] key = key(k);
    long hash = KeyHash.hash(key);
    byte[] v = table.read(key, hash, NOW, reads);
    reads.drainTo(table::touch);
    if (v != null) {
      return true;
    }
    table.put(key, hash, VALUE, 0, NOW, true);
    return false;
  }

  private static byte[] key(long k) {
    return TestKeys.of(k);
  }

  @Test
  void aHotSetSurvivesAOnePassScanOfColdKeys() {
    SplittableRandom rnd = new SplittableRandom(42);
    int hot = 512; // half the table
    for (int i = 0; i < 20 * hot; i++) {
      access(rnd.nextInt(hot));
    }
    for (long cold = 1_000_000; cold < 1_000_000 + 20 * BUCKETS * TableLayout.WAYS; cold++) {
      access(cold); // each cold key once: twenty tables' worth
    }
    int survivors = 0;
    for (int k = 0; k < hot; k++) {
      if (table.read(key(k), KeyHash.hash(key(k)), NOW, reads) != null) {
        survivors++;
      }
    }
    // An LRU of this size would keep none of them.
    assertThat(survivors).as("hot keys still cached after the scan").isGreaterThan(hot * 9 / 10);
  }

  @Test
  void aWorkingSetThatMovesIsFollowed() {
    SplittableRandom rnd = new SplittableRandom(7);
    int set = 768; // three quarters of the table: an LRU misses each key once per phase
    int phaseAccesses = 8 * set;
    for (int phase = 0; phase < 6; phase++) {
      long base = phase * 1_000_000L;
      int lateHits = 0;
      for (int i = 0; i < phaseAccesses; i++) {
        boolean hit = access(base + rnd.nextInt(set));
        if (i >= phaseAccesses / 2 && hit) {
          lateHits++;
        }
      }
      // The first shift teaches the window; from the second on, the new set is cached within
      // half a phase. Plain TinyLFU stayed near 90% here (the previous set's counts outweigh
      // the newcomers' until the sketch halves them); this policy, near 98%.
      if (phase >= 2) {
        assertThat(lateHits).as("hits in the second half of phase %d", phase)
            .isGreaterThan(phaseAccesses / 2 * 95 / 100);
      }
    }
  }

  /**
   * A loop over more keys than the table holds: LRU (and a window of the whole table) hits
   * nothing, a frequency-admitted main region keeps a fixed part of the loop. Started from a
   * window of the whole table, the sizer must find its way back to a small one: the shadow-entry
   * sizer this one replaced stayed at the whole table here, as the loop's refused window victims
   * kept coming back within its shadows' span.
   */
  @Test
  void aLoopLargerThanTheTableIsLearnedEvenFromAnAllWindowStart() {
    long capacity = (long) BUCKETS * TableLayout.WAYS;
    table.windowSizer().setWindow(capacity);
    int loop = (int) (capacity * 3 / 2);
    int passes = 40;
    int lateHits = 0;
    for (int pass = 0; pass < passes; pass++) {
      for (int k = 0; k < loop; k++) {
        if (access(k) && pass >= passes - 5) {
          lateHits++;
        }
      }
    }
    assertThat(table.windowSizer().window()).as("window").isLessThan(capacity / 10);
    // The best any policy can do is capacity / loop = 2/3 of the accesses.
    assertThat(lateHits).as("hits in the last five passes").isGreaterThan(5 * loop / 2);
  }

  /**
   * A working set that slides slowly over the key space, where recency wins: the window must grow
   * to most of the table, and the hit rate come within a point of an exact LRU's.
   */
  @Test
  void aSlidingWorkingSetGrowsTheWindowAndMatchesLru() {
    long capacity = (long) BUCKETS * TableLayout.WAYS;
    SplittableRandom rnd = new SplittableRandom(11);
    java.util.LinkedHashMap<Long, Boolean> lru = new java.util.LinkedHashMap<>(2048, 0.75f, true);
    int accesses = 200_000;
    long hits = 0;
    long lruHits = 0;
    for (int i = 0; i < accesses; i++) {
      // Recently used keys are likely again: a geometric distance back from a moving front.
      long front = i / 4;
      long k = front - (long) (-Math.log(1 - rnd.nextDouble()) * capacity / 3);
      if (access(k)) {
        hits++;
      }
      if (lru.get(k) != null) {
        lruHits++;
      } else {
        lru.put(k, true);
        if (lru.size() > capacity) {
          lru.remove(lru.keySet().iterator().next());
        }
      }
    }
    assertThat(table.windowSizer().window()).as("window").isGreaterThanOrEqualTo(capacity / 2);
    assertThat(100.0 * hits / accesses).as("hit rate, percent")
        .isGreaterThan(100.0 * lruHits / accesses - 1);
  }
}
