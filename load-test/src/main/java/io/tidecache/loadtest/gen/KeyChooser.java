package io.tidecache.loadtest.gen;

import java.util.SplittableRandom;

/**
 * Single thread: only the issuing thread of a run calls {@link #next}: picks the number of the
 * key each request uses, from a key space whose size may change during the run (it grows with
 * the load in the spike, step and sine shapes).
 */
interface KeyChooser {

  /** Returned by {@link #next} when a replayed trace has no keys left. */
  long EXHAUSTED = -1;

  /**
   * The next key number: in {@code [0, keySpace)} for the generated distributions, the trace's
   * next key (whatever {@code keySpace}) for a replay, or {@link #EXHAUSTED}.
   */
  long next(SplittableRandom random, long keySpace);

  /** True when the numbers are a trace's keys (encoded by {@link KeyCodec#traced}). */
  default boolean traced() {
    return false;
  }

  /** One line for reports. */
  String describe();

  /** Every key equally likely. */
  static KeyChooser uniform() {
    return new KeyChooser() {
      @Override
      public long next(SplittableRandom random, long keySpace) {
        return random.nextLong(keySpace);
      }

      @Override
      public String describe() {
        return "uniform";
      }
    };
  }
}
