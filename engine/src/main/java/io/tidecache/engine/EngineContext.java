package io.tidecache.engine;

import io.tidecache.engine.memory.MemoryPool;
import io.tidecache.engine.worker.EngineThreads;
import io.tidecache.api.CacheEvent;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * Thread-safe: what every cache of one engine shares: the pool, the engine threads, the clock,
 * the meters, and the event stream.
 */
record EngineContext(MemoryPool pool, EngineThreads threads, Scheduler clock,
    EngineMetrics metrics, EventBus bus) {

  void publish(CacheEvent event) {
    bus.publish(event);
  }

  Flux<CacheEvent> events() {
    return bus.events();
  }
}
