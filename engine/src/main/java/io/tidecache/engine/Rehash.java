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

  final Resizer set;
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
  private final AtomicLong lastReport = new AtomicLong(Long.MIN_VALUE);
  private final SerializedSink<RehashProgress> reports = SerializedSink.latest();
  private final Sinks.Empty<Void> ended = Sinks.empty();

  Rehash(Resizer set, int from, int to, Shard[] shards, long startedAt) {
    this.set = set;
    this.from = from;
    this.to = to;
    this.shards = shards;
    this.startedAt = startedAt;
    this.sources = to > from ? IntStream.range(0, from).toArray()
        : IntStream.range(to, from).toArray();
    this.destinations = to > from ? IntStream.range(from, to).toArray()
        : IntStream.range(0, to).toArray();
    this.bucketsTotal = (long) sources.length * set.buckets();
    this.barriersLeft = new AtomicInteger(sources.length * destinations.length);
  }

  int[] sources() {
    return sources;
  }

  /** The shards a source may hand entries to (never itself). */
  int[] destinations(int source) {
    return destinations;
  }

  /** A source's chunk is done; reports progress at most every {@link #PROGRESS_EVERY}. */
  void progress(long bucketsScanned, long entriesMoved) {
    scanned.addAndGet(bucketsScanned);
    moved.addAndGet(entriesMoved);
    set.countMoved(entriesMoved);
    long now = set.now();
    long last = lastReport.get();
    if (now - last >= PROGRESS_EVERY.toMillis() && lastReport.compareAndSet(last, now)
        && !finished.get()) {
      reports.next(snapshot(false));
    }
  }

  /** One entry moved on first touch (not by the scan). */
  void movedOnTouch() {
    moved.incrementAndGet();
  }

  void barrierPassed() {
    if (barriersLeft.decrementAndGet() == 0 && finished.compareAndSet(false, true)) {
      try {
        set.completeRehash(this);
      } finally {
        reports.next(snapshot(true));
        reports.complete();
        ended.tryEmitEmpty();
      }
    }
  }

  void fail(Throwable why) {
    if (finished.compareAndSet(false, true)) {
      set.abortRehash(this);
      reports.error(why);
      ended.tryEmitEmpty();
    }
  }

  /** Completes (never fails) once this rehash has completed or failed. */
  Mono<Void> ended() {
    return ended.asMono();
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

  /**
   * The latest progress, then progress as the sources scan (at most every
   * {@link #PROGRESS_EVERY}), then a last one with {@code done} when the rehash completes. No
   * timer is involved: a timer cancelled from an engine thread would take the scheduler's lock.
   */
  Flux<RehashProgress> progress() {
    return Flux.concat(Mono.fromSupplier(() -> snapshot(false)), reports.asFlux())
        .distinctUntilChanged();
  }
}
