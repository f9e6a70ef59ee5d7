package io.tidecache.engine;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Multi-producer, single-consumer, lossy: readers on any thread record the hash of each key they
 * read; the shard's writer drains the records into the frequency sketch and the CLOCK reference
 * bits.
 *
 * <p>Implementation notes. Readers must never wait for the writer, and a read must never fail
 * because its bookkeeping could not be done, so the buffer drops records when full; CLOCK only
 * needs most hits to be recorded. Records go to one of {@link #STRIPES} rings, chosen by the
 * reader's thread id so that two readers rarely share a tail; each ring's tail is claimed by CAS
 * and sits on its own cache line. A claimed cell is written with a release store; the drainer
 * stops at a cell not yet written and resumes there next time. This is the shape of Caffeine's
 * striped read buffer (see TinyLFU [ShardTable ref 4]), built here on {@link AtomicLongArray}.
 */
final class ReadBuffer {
  static final int STRIPES = 8;
  static final int RING = 32;
  private static final int PAD = 16; // longs per cache-line-padded counter (128 bytes)

  private final AtomicLongArray cells = new AtomicLongArray(STRIPES * RING);
  private final AtomicLongArray tails = new AtomicLongArray(STRIPES * PAD);
  private final AtomicLongArray heads = new AtomicLongArray(STRIPES * PAD);

  /** Any thread: records an access of a key hash, or drops it when this thread's ring is full. */
  void record(long hash) {
    int stripe = (int) (Thread.currentThread().threadId() * 0x9E3779B9L >>> 16) & (STRIPES - 1);
    int t = stripe * PAD;
    long tail = tails.get(t);
    if (tail - heads.get(t) >= RING || !tails.compareAndSet(t, tail, tail + 1)) {
      return;
    }
    cells.setRelease(stripe * RING + (int) (tail & (RING - 1)), hash == 0 ? 1 : hash);
  }

  /** Writer only: applies every record written so far to {@code table}; returns how many. */
  int drainTo(ShardTable table) {
    int drained = 0;
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      int p = stripe * PAD;
      long head = heads.getPlain(p);
      long tail = tails.get(p);
      while (head < tail) {
        int cell = stripe * RING + (int) (head & (RING - 1));
        long record = cells.getAcquire(cell);
        if (record == 0) {
          break;
        }
        cells.setPlain(cell, 0);
        table.touch(record);
        head++;
        drained++;
      }
      heads.setRelease(p, head);
    }
    return drained;
  }
}
