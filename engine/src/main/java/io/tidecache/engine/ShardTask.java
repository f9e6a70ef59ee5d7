package io.tidecache.engine;

/**
 * Thread-safe: anything that travels through a shard's queues. Taken exactly once: the shard's
 * writer takes a task before running it, and a producer that finds the shard retired or closed
 * right after its offer takes it back; whichever {@link #take()} succeeds owns the task.
 */
interface ShardTask {

  /** Claims the task; true for exactly one caller. */
  boolean take();

  /** Gives a taken task back so that it can be offered again (only by its owner). */
  void untake();

  /** The owner gives up on the task: its shard closed. */
  void abandon(Throwable why);
}
