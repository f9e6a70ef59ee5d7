package io.tidecache.loadtest.sim;

/**
 * Not thread-safe: one cache being replayed; a single thread calls {@link #access} once per
 * request of a trace, in order, and closes it at the end.
 */
interface ReplayPolicy extends AutoCloseable {

  /** The policy's name as printed (a column of the table). */
  String name();

  /** Entries this cache holds at most: the capacity the replay uses. */
  long capacity();

  /**
   * Looks {@code key} up; on a miss inserts it, and returns only once the insert is complete, so
   * the next access sees it. Returns true for a hit.
   */
  boolean access(long key);

  /** A one-line summary of the policy's own counters after a replay (for stderr), or "". */
  default String counters() {
    return "";
  }

  @Override
  void close();
}
