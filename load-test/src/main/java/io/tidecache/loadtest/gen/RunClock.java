package io.tidecache.loadtest.gen;

/** Immutable, thread-safe: the time of one run, in seconds since it started (monotonic clock). */
final class RunClock {
  private final long startNanos;

  RunClock(long startNanos) {
    this.startNanos = startNanos;
  }

  /** A clock that starts now. */
  static RunClock startingNow() {
    return new RunClock(System.nanoTime());
  }

  long startNanos() {
    return startNanos;
  }

  /** Seconds since the start. */
  double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Seconds from the start to {@code nanoTime}. */
  double seconds(long nanoTime) {
    return (nanoTime - startNanos) / 1e9;
  }
}
