package io.tidecache.loadtest.gen;

import io.tidecache.api.TideCacheException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Thread-safe: the tallies of one run, written by the issuing thread and by whatever threads
 * answer the requests, read by the reporter. Latency goes into an HdrHistogram {@link Recorder}
 * (wait-free recording, interval histograms for the reporter), in nanoseconds.
 */
final class RunCounters {
  final Recorder latencyNanos = new Recorder(3);
  /** How late the issuing thread started each request after its intended time. */
  final Recorder lateNanos = new Recorder(3);
  final LongAdder issued = new LongAdder();
  final LongAdder completed = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder puts = new LongAdder();
  final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

  /** Counts a failed request under "get: Type" or "put: Type". */
  void failed(String op, Throwable error) {
    failed.increment();
    String type = error instanceof TideCacheException ? error.getClass().getSimpleName()
        : error.getClass().getName();
    failures.computeIfAbsent(op + ": " + type, k -> new LongAdder()).increment();
  }

  /** Failed requests by operation and error type, sorted. */
  Map<String, Long> failures() {
    Map<String, Long> m = new TreeMap<>();
    failures.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
