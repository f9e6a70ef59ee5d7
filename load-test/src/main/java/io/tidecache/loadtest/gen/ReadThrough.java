package io.tidecache.loadtest.gen;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * Hand-off: made on the issuing thread, then signalled by one publisher at a time (the get, then
 * the put of a miss), on whatever thread answers. One read-through request: get the key; on a
 * miss, put it (the fill a real read-through cache does after loading the value), then count the
 * request done. Its latency runs from the intended start to the end of the get, or of the put
 * after a miss, so a stalled target shows in the percentiles (no coordinated omission). Failed
 * requests are counted by type and left out of the latency histogram.
 */
final class ReadThrough implements CoreSubscriber<byte[]> {
  private final Target target;
  private final RunCounters counters;
  private final long intendedNanos;
  private final byte[] key;
  private final byte[] value;
  private boolean found;

  ReadThrough(Target target, RunCounters counters, long intendedNanos, byte[] key,
      byte[] value) {
    this.target = target;
    this.counters = counters;
    this.intendedNanos = intendedNanos;
    this.key = key;
    this.value = value;
  }

  /** Subscribes to the get. */
  void start() {
    try {
      target.get(key).subscribe(this);
    } catch (RuntimeException e) {
      failed("get", e);
    }
  }

  @Override
  public void onSubscribe(Subscription s) {
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(byte[] v) {
    found = true;
  }

  @Override
  public void onError(Throwable t) {
    failed("get", t);
  }

  @Override
  public void onComplete() {
    if (found) {
      counters.hits.increment();
      done();
      return;
    }
    counters.misses.increment();
    try {
      target.put(key, value).subscribe(new Fill());
    } catch (RuntimeException e) {
      failed("put", e);
    }
  }

  private void done() {
    long took = System.nanoTime() - intendedNanos;
    counters.latencyNanos.recordValue(Math.max(0, took));
    counters.completed.increment();
    counters.inFlight.decrementAndGet();
  }

  private void failed(String op, Throwable t) {
    counters.failed(op, t);
    counters.completed.increment();
    counters.inFlight.decrementAndGet();
  }

  /** The put that fills a miss. */
  private final class Fill implements CoreSubscriber<Void> {
    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Void v) {
      // a put emits nothing
    }

    @Override
    public void onError(Throwable t) {
      failed("put", t);
    }

    @Override
    public void onComplete() {
      counters.puts.increment();
      done();
    }
  }
}
