package io.tidecache.server;

import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheClosed;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheStats;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Thread-safe: the door between the network and the caches during a graceful stop. While open,
 * every operation on a cache it {@link #wrap wraps} is admitted and counted in flight until it
 * ends; once {@link #close closed}, new operations fail at once with {@link CacheClosed} (nothing
 * changed) and {@link #drained} tells when those admitted before have all finished.
 *
 * <p>Implementation notes. An operation first counts itself in flight, then reads the gate; the
 * stopper first closes the gate, then reads the count. Both are volatile accesses (the gate
 * field, the {@link LongAdder} cells), so either the operation sees the gate closed and backs
 * out, or the stopper's count includes it: none slips through unseen. The count is a sum of
 * cells, exact once nothing moves, which is the only moment the stopper trusts it (zero).
 *
 * <p>The long operations (a scan, a getAll or putAll channel) can outlive the stop's grace;
 * {@link #cut} ends those still running with {@link CacheClosed}, so that each client gets an
 * ERROR frame on its stream rather than a closed connection. Each registers a one-shot trigger
 * while it runs ({@code takeUntilOther}); single-key operations take microseconds and are not
 * registered, so the hot path pays nothing for it.
 */
final class DrainGate {
  private volatile boolean open = true;
  private final LongAdder inFlight = new LongAdder();
  private final LongAdder admitted = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder cut = new LongAdder();
  private final Set<Cut> cuttable = ConcurrentHashMap.newKeySet();

  /** The trigger of one running long operation, and whether it was pulled. */
  private record Cut(Sinks.One<Boolean> trigger, AtomicBoolean pulled) {}

  /** A view of {@code cache} whose operations pass this gate. */
  ByteCache wrap(ByteCache cache) {
    return new Gated(cache);
  }

  /** Refuses every operation from now on. Idempotent. */
  void close() {
    open = false;
  }

  boolean isOpen() {
    return open;
  }

  /** Operations admitted and not finished yet. */
  long inFlight() {
    return inFlight.sum();
  }

  /** Operations admitted since the start. */
  long admitted() {
    return admitted.sum();
  }

  /** Operations refused because the gate was closed. */
  long refused() {
    return refused.sum();
  }

  /** Long operations ended by {@link #cut} with {@link CacheClosed}. */
  long cut() {
    return cut.sum();
  }

  /**
   * Ends every scan and getAll/putAll still running with {@link CacheClosed} (their sources are
   * cancelled); returns how many were told. Call after {@link #close}.
   */
  int cutLongOperations() {
    int n = 0;
    for (Cut c : cuttable) {
      if (c.pulled().compareAndSet(false, true)) {
        c.trigger().tryEmitValue(Boolean.TRUE);
        n++;
      }
    }
    return n;
  }

  /**
   * Emits {@code true} once nothing is in flight (checked every {@code poll} on
   * {@code scheduler}), or {@code false} when {@code timeout} passes first.
   */
  Mono<Boolean> drained(Duration timeout, Duration poll, Scheduler scheduler) {
    return Flux.interval(Duration.ZERO, poll, scheduler)
        .onBackpressureDrop()
        .filter(tick -> inFlight.sum() == 0)
        .next()
        .map(tick -> true)
        .timeout(timeout, Mono.just(false), scheduler);
  }

  private <T> Mono<T> admit(String cache, Mono<T> call) {
    return Mono.defer(() -> {
      inFlight.increment();
      if (!open) {
        inFlight.decrement();
        refused.increment();
        return Mono.error(new CacheClosed(cache));
      }
      admitted.increment();
      return call.doFinally(s -> inFlight.decrement());
    });
  }

  private <T> Flux<T> admit(String cache, Flux<T> call) {
    return Flux.defer(() -> {
      inFlight.increment();
      if (!open) {
        inFlight.decrement();
        refused.increment();
        return Flux.error(new CacheClosed(cache));
      }
      admitted.increment();
      return call.doFinally(s -> inFlight.decrement());
    });
  }

  /** {@code call}, ended with {@link CacheClosed} by {@link #cutLongOperations} if still running. */
  private <T> Flux<T> cuttable(String cache, Flux<T> call) {
    return Flux.defer(() -> {
      Cut c = new Cut(Sinks.one(), new AtomicBoolean());
      cuttable.add(c);
      return call.takeUntilOther(c.trigger().asMono())
          .concatWith(Flux.defer(() -> {
            if (c.pulled().get()) {
              cut.increment();
              return Flux.error(new CacheClosed(cache));
            }
            return Flux.empty();
          }))
          .doFinally(s -> cuttable.remove(c));
    });
  }

  /** Thread-safe: a cache whose operations pass the gate; closing it closes the cache. */
  private final class Gated implements ByteCache {
    private final ByteCache cache;

    Gated(ByteCache cache) {
      this.cache = cache;
    }

    @Override
    public String name() {
      return cache.name();
    }

    @Override
    public Mono<byte[]> get(byte[] key) {
      return admit(cache.name(), Mono.defer(() -> cache.get(key)));
    }

    @Override
    public Mono<Void> put(byte[] key, byte[] value) {
      return admit(cache.name(), Mono.defer(() -> cache.put(key, value)));
    }

    @Override
    public Mono<Void> put(byte[] key, byte[] value, Duration ttl) {
      return admit(cache.name(), Mono.defer(() -> cache.put(key, value, ttl)));
    }

    @Override
    public Mono<Boolean> remove(byte[] key) {
      return admit(cache.name(), Mono.defer(() -> cache.remove(key)));
    }

    @Override
    public Flux<CacheEntry<byte[], byte[]>> getAll(Publisher<byte[]> keys) {
      return admit(cache.name(), cuttable(cache.name(), Flux.defer(() -> cache.getAll(keys))));
    }

    @Override
    public Mono<Long> putAll(Publisher<CacheEntry<byte[], byte[]>> entries) {
      return admit(cache.name(), cuttable(cache.name(), Mono.defer(() -> cache.putAll(entries))
          .flux())).singleOrEmpty();
    }

    @Override
    public Flux<CacheEntry<byte[], byte[]>> scan() {
      return admit(cache.name(), cuttable(cache.name(), Flux.defer(cache::scan)));
    }

    @Override
    public Mono<CacheStats> stats() {
      return admit(cache.name(), Mono.defer(cache::stats));
    }

    @Override
    public Mono<Void> close() {
      return cache.close();
    }
  }
}
