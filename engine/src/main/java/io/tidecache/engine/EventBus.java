package io.tidecache.engine;

import io.tidecache.api.CacheEvent;
import reactor.core.publisher.Flux;

/**
 * Thread-safe: the engine's hot event stream. Any thread publishes; publishing never blocks,
 * never spins and never throws.
 *
 * <p>Implementation notes. A Reactor sink must not be signalled by two threads at once, and
 * retrying a refused emission (busy looping) can spin for as long as the other emitter is
 * descheduled. Instead, events go into a lock-free queue and the publisher that raises the
 * work-in-progress counter from zero drains it into an unsynchronized sink, the serialization
 * pattern of Reactor's own operators: exactly one thread emits at a time and no event waits for
 * a lock. Subscribers that cannot keep up miss events (best effort), as with any hot stream here.
 */
final class EventBus {
  private final SerializedSink<CacheEvent> sink = SerializedSink.multicast();

  void publish(CacheEvent event) {
    sink.next(event);
  }

  Flux<CacheEvent> events() {
    return sink.asFlux();
  }
}
