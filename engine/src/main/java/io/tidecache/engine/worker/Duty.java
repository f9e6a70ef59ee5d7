package io.tidecache.engine.worker;

/**
 * Single thread for {@link #doWork}: what an {@link EngineWorker} runs on its thread, turn after
 * turn, the way Agrona's {@code AgentRunner} runs an {@code Agent}. The worker knows nothing else
 * of it: whether it is a shard, a timer or a test.
 */
public interface Duty {

  /** One turn, on the worker's thread: the amount of work done, 0 when there was nothing to do. */
  int doWork();

  /**
   * Any thread: true if a turn now would find work. The worker asks before it parks, after
   * publishing that it is about to sleep; whoever adds work after that wakes the worker.
   */
  boolean hasWork();

  /**
   * Any thread: when timed work (a paced rehash chunk, say) is next due, in
   * {@code System.nanoTime()} terms, or {@link Long#MAX_VALUE} for none. A parked worker wakes by
   * then.
   */
  long dueNanos();
}
