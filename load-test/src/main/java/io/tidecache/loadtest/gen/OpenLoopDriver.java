package io.tidecache.loadtest.gen;

import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/*
 * Implementation notes
 * ====================
 *
 * Open loop, as in wrk2 (G. Tene, "How NOT to measure latency", 2015): request i has an intended
 * start time fixed by the traffic shape alone (the next one is 1/rate(t) after it), whatever the
 * target does. The issuing thread parks until the next intended time, then starts every request
 * that is due, each stamped with its own intended time; if the thread falls behind (a GC pause, a
 * descheduled core), it catches up by starting the backlog at once with the original stamps, so the
 * delay shows up in the latencies instead of silently lowering the rate (coordinated omission).
 *
 * A request is started only while fewer than maxOutstanding are in flight; otherwise it is counted
 * as dropped and not started: nothing queues without bound in this process. Parking has a
 * granularity of tens of microseconds (Linux timer slack), so at high rates requests start in small
 * bursts; that jitter is part of the measured latency.
 */

/**
 * Single thread: {@link #run()} runs on the one issuing thread of a run; {@link #stop()} may be
 * called from any thread. Starts read-through requests at the intended times of a
 * {@link TrafficShape} until the duration, the request count or a replayed trace runs out.
 */
final class OpenLoopDriver implements Runnable {
  /** Why the driver stopped. */
  enum End { DURATION, REQUEST_COUNT, TRACE_EXHAUSTED, STOPPED }

  /**
   * Immutable: what to issue.
   *
   * @param baseKeys the key space at the base rate
   * @param keysFollowLoad the key space is {@code baseKeys} times the load factor (the working set
   *     grows with the load), else {@code baseKeys} throughout
   * @param maxRequests stop after this many requests (started or dropped)
   * @param durationNanos stop after this long
   * @param maxOutstanding requests in flight at most; past it, requests are dropped
   */
  record Plan(TrafficShape shape, KeyChooser keys, long baseKeys, boolean keysFollowLoad,
      byte[] value, long maxRequests, long durationNanos, int maxOutstanding, long seed) {}

  private final Plan plan;
  private final Target target;
  private final RunCounters counters;
  private final RunClock clock;
  private volatile boolean stopped;
  private volatile End end;

  OpenLoopDriver(Plan plan, Target target, RunCounters counters, RunClock clock) {
    this.plan = plan;
    this.target = target;
    this.counters = counters;
    this.clock = clock;
  }

  /** Asks the issuing thread to stop after its current request. */
  void stop() {
    stopped = true;
  }

  /** Why it stopped (null while running). */
  End end() {
    return end;
  }

  @Override
  public void run() {
    SplittableRandom random = new SplittableRandom(plan.seed());
    long start = clock.startNanos();
    double offsetNanos = 0; // of the next request, from start
    long requests = 0;
    End why;
    while (true) {
      if (stopped) {
        why = End.STOPPED;
        break;
      }
      if (offsetNanos >= plan.durationNanos()) {
        why = End.DURATION;
        break;
      }
      if (requests >= plan.maxRequests()) {
        why = End.REQUEST_COUNT;
        break;
      }
      long intended = start + (long) offsetNanos;
      long now = System.nanoTime();
      if (intended > now) {
        LockSupport.parkNanos(Math.min(intended - now, 10_000_000L));
        continue;
      }
      double t = offsetNanos / 1e9;
      double rate = plan.shape().rate(t);
      if (rate <= 0) {
        offsetNanos += 1_000_000; // nothing intended now: look again in 1 ms
        continue;
      }
      offsetNanos += 1e9 / rate;
      requests++;
      if (!issue(random, intended, t)) {
        why = End.TRACE_EXHAUSTED;
        break;
      }
    }
    end = why;
  }

  /** Starts (or drops) one request; false when the trace has no keys left. */
  private boolean issue(SplittableRandom random, long intended, double t) {
    long keySpace = plan.keysFollowLoad()
        ? Math.max(1, Math.round(plan.baseKeys() * plan.shape().loadFactor(t)))
        : plan.baseKeys();
    long n = plan.keys().next(random, keySpace);
    if (n == KeyChooser.EXHAUSTED) {
      return false;
    }
    if (counters.inFlight.get() >= plan.maxOutstanding()) {
      counters.dropped.increment();
      return true;
    }
    counters.inFlight.incrementAndGet();
    counters.issued.increment();
    counters.lateNanos.recordValue(Math.max(0, System.nanoTime() - intended));
    byte[] key = plan.keys().traced() ? KeyCodec.traced(n) : KeyCodec.generated(n);
    new ReadThrough(target, counters, intended, key, plan.value()).start();
    return true;
  }
}
