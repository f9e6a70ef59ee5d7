package io.tidecache.engine;

import io.tidecache.api.CacheEvent;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Thread-safe: what every cache of one engine shares: the pool, the engine threads, the clock,
 * the meters, and the event stream.
 */
record EngineContext(MemoryPool pool, EngineThreads threads, Scheduler clock,
    EngineMetrics metrics, Sinks.Many<CacheEvent> sink) {

  void publish(CacheEvent event) {
    sink.emitNext(event, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(50)));
  }

  Flux<CacheEvent> events() {
    return sink.asFlux();
  }
}
