package io.tidecache.loadtest.report;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe: counts a load client's failed requests by kind, the exception's class and the
 * first 120 characters of its message.
 */
public final class ErrorKinds {
  private static final int MESSAGE_CHARS = 120;

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  /** Counts one failure. */
  public void count(Throwable t) {
    String msg = String.valueOf(t.getMessage());
    String kind = t.getClass().getSimpleName() + ": "
        + (msg.length() > MESSAGE_CHARS ? msg.substring(0, MESSAGE_CHARS) : msg);
    counts.computeIfAbsent(kind, x -> new LongAdder()).increment();
  }

  /** The counts so far, by kind, sorted. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new TreeMap<>();
    counts.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
