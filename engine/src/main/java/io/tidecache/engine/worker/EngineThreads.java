package io.tidecache.engine.worker;

/**
 * Thread-safe: the fixed set of engine threads that all shards share. More shards than threads
 * never means more threads: a new duty goes to the worker with the fewest duties.
 */
public final class EngineThreads {
  private final EngineWorker[] workers;

  public EngineThreads(int threads, long idleSpinNanos) {
    workers = new EngineWorker[threads];
    for (int i = 0; i < threads; i++) {
      workers[i] = new EngineWorker("tidecache-engine-" + i, idleSpinNanos);
      workers[i].start();
    }
  }

  public EngineWorker leastLoaded() {
    EngineWorker best = workers[0];
    for (EngineWorker w : workers) {
      if (w.dutyCount() < best.dutyCount()) {
        best = w;
      }
    }
    return best;
  }

  public int size() {
    return workers.length;
  }

  public void shutdown() {
    for (EngineWorker w : workers) {
      w.shutdown();
    }
  }
}
