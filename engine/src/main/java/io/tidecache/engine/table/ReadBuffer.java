package io.tidecache.engine.table;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

/**
 * Multi-producer, single-consumer, lossy: readers on any thread record each read (the key's hash
 * and where it was found, see {@link ShardTable#readRecord}); the shard's writer drains the
 * records into the frequency sketch and the ways' access stamps.
 *
 * <p>Implementation notes. Readers must never wait for the writer, and a read must never fail
 * because its bookkeeping could not be done, so the buffer drops records when full; the eviction
 * policy only needs most hits to be recorded, and {@link #dropped} counts the others (a full
 * ring, or a lost race with another reader of the same stripe for a cell). To keep
 * drops rare, the record that fills a ring to half, and every dropped one, calls {@code drainer}
 * (the engine thread's wake-up, which only unparks a parked thread), and a ring holds
 * {@link #RING} records, room for the operating system's delay in waking a parked engine thread
 * (up to milliseconds on a 2-core virtual machine) at a few microseconds per read. With rings of
 * 32 and no wake-up, the hit-rate simulator, whose replay thread waits for each put and so lets
 * the engine thread park between them, dropped 78% of the hits of the ps trace and half of
 * multi2's, and lost 7 points on multi2 at 2,000 entries; with rings of 128 it still lost 4 to 6
 * points there in half its runs; with 512, four single runs gave 69.3% to 69.7% and six more
 * replays 68.9% to 69.6%, against 69.55% with every record drained at once. The rings take 32 KiB of heap per
 * shard. Records go to one of {@link #STRIPES} rings, chosen by the
 * reader's thread id so that two readers rarely share a tail; each ring's tail is claimed by CAS
 * and sits on its own cache line. A claimed cell is written with a release store; the drainer
 * stops at a cell not yet written and resumes there next time. This is the shape of Caffeine's
 * striped read buffer (see TinyLFU [ShardTable ref 4]), built here on {@link AtomicLongArray}.
 */
public final class ReadBuffer {
  static final int STRIPES = 8;
  static final int RING = 512;
  /** Records of one ring applied per drain at most, so that a full buffer costs several turns. */
  static final int DRAIN_PER_RING = 64;
  private static final int PAD = 16; // longs per cache-line-padded counter (128 bytes)

  private final AtomicLongArray cells = new AtomicLongArray(STRIPES * RING);
  private final AtomicLongArray tails = new AtomicLongArray(STRIPES * PAD);
  private final AtomicLongArray heads = new AtomicLongArray(STRIPES * PAD);
  /** Records dropped (ring full, or a cell lost to another reader), per stripe, padded. */
  private final AtomicLongArray drops = new AtomicLongArray(STRIPES * PAD);
  private final Runnable drainer;

  /** A buffer that calls {@code drainer} when a ring is half full or full (any thread). */
  public ReadBuffer(Runnable drainer) {
    this.drainer = drainer;
  }

  /** A buffer whose drains are left to the caller (tests). */
  ReadBuffer() {
    this(() -> {});
  }

  /** Any thread: records a read, or drops it when this thread's ring is full. */
  public void record(long record) {
    int stripe = (int) (Thread.currentThread().threadId() * 0x9E3779B9L >>> 16) & (STRIPES - 1);
    int t = stripe * PAD;
    long tail = tails.get(t);
    long used = tail - heads.get(t);
    if (used >= RING || !tails.compareAndSet(t, tail, tail + 1)) {
      drops.getAndIncrement(t); // full, or another reader of this stripe won the cell
      if (used >= RING) {
        drainer.run();
      }
      return;
    }
    cells.setRelease(stripe * RING + (int) (tail & (RING - 1)), record == 0 ? 1 : record);
    if (used == RING / 2 - 1) {
      drainer.run();
    }
  }

  /** Any thread: records dropped so far (ring full, or a cell lost to another reader). */
  public long dropped() {
    long sum = 0;
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      sum += drops.get(stripe * PAD);
    }
    return sum;
  }

  /**
   * Any thread: true when no ring holds a claimed record. The engine thread asks before it parks
   * (after publishing that it sleeps), so a reader whose wake-up found it still awake cannot
   * leave records behind for a whole park.
   */
  public boolean isEmpty() {
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      if (tails.get(stripe * PAD) != heads.get(stripe * PAD)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writer only: hands the records written so far to {@code sink}, at most
   * {@link #DRAIN_PER_RING} of each ring (the rest wait for the next call, so one turn of the
   * engine thread stays short after a burst); returns how many. If the sink throws, the
   * records before it stay drained and the exception goes to the caller.
   */
  public int drainTo(LongConsumer sink) {
    int drained = 0;
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      int p = stripe * PAD;
      long head = heads.getPlain(p);
      long tail = Math.min(tails.get(p), head + DRAIN_PER_RING);
      try {
        while (head < tail) {
          int cell = stripe * RING + (int) (head & (RING - 1));
          long record = cells.getAcquire(cell);
          if (record == 0) {
            break;
          }
          cells.setPlain(cell, 0);
          head++;
          drained++;
          sink.accept(record);
        }
      } finally {
        // Saved even when the sink throws (a lost lease's memory): a cell zeroed ahead of the
        // saved head would never be passed again, and the ring would look non-empty for good.
        heads.setRelease(p, head);
      }
    }
    return drained;
  }
}
