package io.tidecache.loadtest.net;

import io.tidecache.loadtest.report.ErrorKinds;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.HdrHistogram.Recorder;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.scheduler.Schedulers;

/**
 * Thread-safe: a closed loop of request-responses on one RSocket connection that keeps exactly
 * {@code inFlight} requests outstanding: each answer (or error) issues the next request, from the
 * thread that delivered it (the connection's event loop). Keys are drawn uniformly from
 * {@code [0, keys)}; each request's latency, from just before {@code requestResponse} is
 * subscribed to its terminal signal, goes to a {@link Recorder} (nanoseconds). Errors are counted
 * by message and not recorded; after an error the next request is issued from another thread
 * (no recursion on synchronous errors), and not at all once the connection is disposed.
 *
 * <p>A closed loop measures the latency a client sees at that concurrency, not an open-loop
 * (fixed arrival rate) latency: a slow answer delays the requests behind it instead of queueing
 * them.
 */
final class ClosedLoop {
  private final RSocket rsocket;
  private final IntFunction<Payload> request;
  private final int keys;
  private final int inFlight;
  private final Recorder latency = new Recorder(3);
  private final LongAdder values = new LongAdder();
  private final LongAdder empties = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final ErrorKinds errorKinds = new ErrorKinds();
  private final AtomicInteger outstanding = new AtomicInteger();
  private final CountDownLatch drained = new CountDownLatch(1);
  private volatile boolean running;

  /**
   * @param request builds a fresh request payload for a key index (called once per request)
   */
  ClosedLoop(RSocket rsocket, IntFunction<Payload> request, int keys, int inFlight) {
    this.rsocket = rsocket;
    this.request = request;
    this.keys = keys;
    this.inFlight = inFlight;
  }

  void start() {
    running = true;
    outstanding.set(inFlight);
    for (int i = 0; i < inFlight; i++) {
      issue();
    }
  }

  /** Stops issuing; waits up to {@code timeoutMillis} for the outstanding requests to end. */
  boolean stopAndDrain(long timeoutMillis) throws InterruptedException {
    running = false;
    return drained.await(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  Recorder latency() { return latency; }

  /** Answers that carried a payload (for tidecache GET: hits). */
  long values() { return values.sum(); }

  /** Answers that completed without a payload (for tidecache GET: misses; SET: all). */
  long empties() { return empties.sum(); }

  long errors() { return errors.sum(); }

  /** Error counts by exception class and message (first 120 characters). */
  Map<String, Long> errorKinds() {
    return errorKinds.snapshot();
  }

  private void issue() {
    int k = ThreadLocalRandom.current().nextInt(keys);
    Payload p = request.apply(k);
    new Call(System.nanoTime()).go(p);
  }

  private void next(boolean afterError) {
    if (running && !rsocket.isDisposed()) {
      if (afterError) {
        Schedulers.parallel().schedule(this::issue);
      } else {
        issue();
      }
      return;
    }
    if (outstanding.decrementAndGet() == 0) {
      drained.countDown();
    }
  }

  /** One request: records its latency once, then lets the loop issue the next one. */
  private final class Call implements CoreSubscriber<Payload> {
    private final long start;
    private boolean gotValue;

    Call(long start) {
      this.start = start;
    }

    void go(Payload p) {
      rsocket.requestResponse(p).subscribe(this);
    }

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Payload p) {
      gotValue = true;
      p.release();
    }

    @Override
    public void onError(Throwable t) {
      errors.increment();
      errorKinds.count(t);
      next(true);
    }

    @Override
    public void onComplete() {
      latency.recordValue(System.nanoTime() - start);
      (gotValue ? values : empties).increment();
      next(false);
    }
  }
}
