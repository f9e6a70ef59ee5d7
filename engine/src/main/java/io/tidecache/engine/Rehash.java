package io.tidecache.engine;

import io.tidecache.api.RehashProgress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Thread-safe: one rehash of an elastic shard set from {@code from} to {@code to} owning shards,
 * and its progress.
 *
 * <p>Sources are the shards whose keys may move: every old shard when growing, the removed
 * shards when shrinking (jump hash moves nothing else). Destinations are the new shards when
 * growing, the remaining ones when shrinking. Each source scans its whole table and then sends
 * one barrier to each destination; the rehash is complete when every barrier has been passed,
 * that is when every destination has applied every entry handed to it. Only then does the set
 * publish the new routing.
 */
final class Rehash {
  static final Duration PROGRESS_EVERY = Duration.ofMillis(100);

  final ElasticShardSet set;
  final int from;
  final int to;
  final Shard[] shards;
  final long startedAt;
  private final int[] sources;
  private final int[] destinations;
  private final long bucketsTotal;
  private final AtomicLong scanned = new AtomicLong();
  private final AtomicLong moved = new AtomicLong();
  private final AtomicInteger barriersLeft;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final Sinks.Empty<Void> done = Sinks.empty();

  Rehash(ElasticShardSet set, int from, int to, Shard[] shards, long startedAt) {
    this.set = set;
    this.from = from;
    this.to = to;
    this.shards = shards;
    this.startedAt = startedAt;
    this.sources = to > from ? IntStream.range(0, from).toArray()
        : IntStream.range(to, from).toArray();
    this.destinations = to > from ? IntStream.range(from, to).toArray()
        : IntStream.range(0, to).toArray();
    this.bucketsTotal = (long) sources.length * set.layout().buckets;
    this.barriersLeft = new AtomicInteger(sources.length * destinations.length);
  }

  int[] sources() {
    return sources;
  }

  /** The shards a source may hand entries to (never itself). */
  int[] destinations(int source) {
    return destinations;
  }

  void progress(long bucketsScanned, long entriesMoved) {
    scanned.addAndGet(bucketsScanned);
    moved.addAndGet(entriesMoved);
    set.countMoved(entriesMoved);
  }

  /** One entry moved on first touch (not by the scan). */
  void movedOnTouch() {
    moved.incrementAndGet();
  }

  void barrierPassed() {
    if (barriersLeft.decrementAndGet() == 0 && finished.compareAndSet(false, true)) {
      set.completeRehash(this);
      done.tryEmitEmpty();
    }
  }

  void fail(Throwable why) {
    if (finished.compareAndSet(false, true)) {
      set.abortRehash(this);
      done.tryEmitError(why);
    }
  }

  boolean isFinished() {
    return finished.get();
  }

  long entriesMoved() {
    return moved.get();
  }

  RehashProgress snapshot(boolean last) {
    return new RehashProgress(set.name(), from, to, scanned.get(), bucketsTotal, moved.get(),
        last);
  }

  /** Progress every {@link #PROGRESS_EVERY} on the set's clock, then a last one when done. */
  Flux<RehashProgress> progress() {
    return Flux.interval(PROGRESS_EVERY, set.clock())
        .map(i -> snapshot(false))
        .takeUntilOther(done.asMono())
        .concatWith(Mono.fromSupplier(() -> snapshot(true)));
  }
}
