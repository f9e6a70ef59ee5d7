package io.tidecache.server;

import io.tidecache.api.ByteCache;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Thread-safe: the demo's load. One issuing thread starts read-throughs (a get, and on a miss a
 * put with the TTL) at the rates of {@link DemoSettings}, open loop: request i is started at its
 * intended time whatever the caches do. Each request goes to every cache alike (same key, same
 * moment), so the caches compare under exactly the same load. At most {@link #MAX_IN_FLIGHT}
 * requests per cache are in flight; past that a request is counted as dropped, not queued.
 */
final class DemoLoad {
  static final int MAX_IN_FLIGHT = 4096;
  private static final long KEY_PREFIX = 0x7469646563616368L; // "tidecach"

  private final DemoSettings settings;
  private final List<ByteCache> caches;
  private final AtomicInteger[] inFlight;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final byte[] value = new byte[DemoSettings.VALUE_BYTES];
  private final Thread thread;
  private volatile boolean stopped;
  private volatile long startNanos;

  DemoLoad(DemoSettings settings, List<ByteCache> caches) {
    this.settings = settings;
    this.caches = List.copyOf(caches);
    this.inFlight = new AtomicInteger[caches.size()];
    for (int i = 0; i < inFlight.length; i++) {
      inFlight[i] = new AtomicInteger();
    }
    this.thread = new Thread(this::run, "tidecache-demo-load");
    this.thread.setDaemon(true);
  }

  /** Starts issuing; the run's clock starts at {@code startNanos}. */
  void start(long startNanos) {
    this.startNanos = startNanos;
    thread.start();
  }

  /** Stops issuing and waits (up to {@code timeout}) for the requests in flight. */
  boolean stop(Duration timeout) throws InterruptedException {
    stopped = true;
    thread.join(Math.max(1, timeout.toMillis()));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    return inFlight() == 0;
  }

  int inFlight() {
    int n = 0;
    for (AtomicInteger i : inFlight) {
      n += i.get();
    }
    return n;
  }

  /** Requests not started because a cache had {@link #MAX_IN_FLIGHT} in flight. */
  long dropped() {
    return dropped.sum();
  }

  /** Requests that failed (an error from a cache). */
  long failed() {
    return failed.sum();
  }

  private void run() {
    SplittableRandom random = new SplittableRandom(15);
    long issued = 0;
    double end = settings.seconds();
    while (!stopped) {
      double t = (System.nanoTime() - startNanos) / 1e9;
      if (t >= end) {
        break;
      }
      long due = (long) settings.intended(t);
      long keys = settings.keySpace(t);
      for (; issued < due && !stopped; issued++) {
        byte[] key = key(random.nextLong(keys));
        for (int c = 0; c < caches.size(); c++) {
          readThrough(c, key);
        }
      }
      LockSupport.parkNanos(200_000);
    }
  }

  private void readThrough(int c, byte[] key) {
    AtomicInteger n = inFlight[c];
    if (n.get() >= MAX_IN_FLIGHT) {
      dropped.increment();
      return;
    }
    n.incrementAndGet();
    ByteCache cache = caches.get(c);
    cache.get(key).hasElement()
        .flatMap(hit -> hit ? reactor.core.publisher.Mono.<Void>empty()
            : cache.put(key, value, settings.ttl()))
        .subscribe(null, e -> {
          failed.increment();
          n.decrementAndGet();
        }, n::decrementAndGet);
  }

  static byte[] key(long n) {
    return ByteBuffer.allocate(DemoSettings.KEY_BYTES).putLong(KEY_PREFIX).putLong(n).array();
  }
}
