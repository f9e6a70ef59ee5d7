package io.tidecache.loadtest.rehash;

import io.tidecache.loadtest.report.ErrorKinds;
import io.tidecache.api.ByteCache;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * One client thread issues every request; completions may arrive on any thread (a get hit
 * completes inside {@code subscribe}, on this client's thread; anything else on an engine thread),
 * and the recorders and counters are safe to read from any thread.
 *
 * <p>Each request is a get ({@code getPercent} of them) or a put of a fixed 64-byte value, of a
 * key drawn from {@link KeyDistribution}. At most {@code maxOutstanding} requests are outstanding:
 * past that the thread parks until a completion wakes it. With a positive {@code ratePerSecond}
 * requests are issued on a fixed schedule (the thread parks while it is ahead; a late thread
 * catches up in a burst), otherwise as fast as the bound allows (a closed loop). Each request's
 * latency, from just before {@code subscribe} to its terminal signal, goes to the get or put
 * {@link Recorder} in nanoseconds; errors are counted by kind and not recorded.
 */
final class LoadClient implements Runnable {
  private static final long MAX_PARK_NANOS = 1_000_000;

  private final int id;
  private final ByteCache cache;
  private final byte[][] keys;
  private final byte[] value;
  private final KeyDistribution distribution;
  private final int getPercent;
  private final int maxOutstanding;
  private final double ratePerSecond;
  private final SplittableRandom random;
  final Recorder gets = new Recorder(Window.DIGITS);
  final Recorder puts = new Recorder(Window.DIGITS);
  private final LongAdder errors = new LongAdder();
  private final ErrorKinds errorKinds = new ErrorKinds();
  private final AtomicInteger outstanding = new AtomicInteger();
  private volatile boolean running = true;
  private volatile boolean waiting;
  private volatile Thread thread;

  LoadClient(int id, ByteCache cache, byte[][] keys, byte[] value, KeyDistribution distribution,
      int getPercent, int maxOutstanding, double ratePerSecond, long seed) {
    this.id = id;
    this.cache = cache;
    this.keys = keys;
    this.value = value;
    this.distribution = distribution;
    this.getPercent = getPercent;
    this.maxOutstanding = maxOutstanding;
    this.ratePerSecond = ratePerSecond;
    this.random = new SplittableRandom(seed);
  }

  Thread start() {
    Thread t = new Thread(this, "load-client-" + id);
    t.setDaemon(true);
    thread = t;
    t.start();
    return t;
  }

  /** Stops issuing; requests already issued still complete. */
  void stop() {
    running = false;
    LockSupport.unpark(thread);
  }

  int outstanding() {
    return outstanding.get();
  }

  long errors() {
    return errors.sum();
  }

  Map<String, Long> errorKinds() {
    return errorKinds.snapshot();
  }

  @Override
  public void run() {
    long start = System.nanoTime();
    double nanosPerOp = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
    long issued = 0;
    while (running) {
      if (nanosPerOp > 0) {
        long dueAt = start + (long) (issued * nanosPerOp);
        long ahead = dueAt - System.nanoTime();
        if (ahead > 0) {
          LockSupport.parkNanos(this, Math.min(ahead, MAX_PARK_NANOS));
          continue;
        }
      }
      if (outstanding.get() >= maxOutstanding) {
        waiting = true;
        if (outstanding.get() >= maxOutstanding && running) {
          LockSupport.parkNanos(this, MAX_PARK_NANOS);
        }
        waiting = false;
        continue;
      }
      issue();
      issued++;
    }
  }

  private void issue() {
    byte[] key = keys[distribution.next(random)];
    boolean get = random.nextInt(100) < getPercent;
    outstanding.incrementAndGet();
    Mono<?> op = get ? cache.get(key) : cache.put(key, value);
    Request r = new Request(get ? gets : puts);
    r.start = System.nanoTime();
    op.subscribe(r);
  }

  private void completed() {
    outstanding.decrementAndGet();
    if (waiting) {
      LockSupport.unpark(thread);
    }
  }

  /** One request: records its latency once, on whichever thread signals its end. */
  private final class Request implements CoreSubscriber<Object> {
    private final Recorder recorder;
    long start;

    Request(Recorder recorder) {
      this.recorder = recorder;
    }

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Object o) {
      // the value itself is not needed
    }

    @Override
    public void onError(Throwable t) {
      errors.increment();
      errorKinds.count(t);
      completed();
    }

    @Override
    public void onComplete() {
      recorder.recordValue(System.nanoTime() - start);
      completed();
    }
  }
}
