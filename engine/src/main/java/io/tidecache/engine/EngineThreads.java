package io.tidecache.engine;

/**
 * Thread-safe: the fixed set of engine threads that all shards share. More shards than threads
 * never means more threads: a new shard goes to the worker with the fewest shards.
 */
final class EngineThreads {
  private final EngineWorker[] workers;

  EngineThreads(int threads, long idleSpinNanos) {
    workers = new EngineWorker[threads];
    for (int i = 0; i < threads; i++) {
      workers[i] = new EngineWorker("tidecache-engine-" + i, idleSpinNanos);
      workers[i].start();
    }
  }

  EngineWorker leastLoaded() {
    EngineWorker best = workers[0];
    for (EngineWorker w : workers) {
      if (w.shardCount() < best.shardCount()) {
        best = w;
      }
    }
    return best;
  }

  int size() {
    return workers.length;
  }

  void shutdown() {
    for (EngineWorker w : workers) {
      w.shutdown();
    }
  }
}
