package io.tidecache.server;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;

/**
 * Thread-safe, and never blocks its callers: the server's own log, one JSON object per line.
 * Any thread may log, an engine or event-loop thread included: the line is formatted on the
 * caller's thread and offered to a bounded queue; one writer thread ({@code tidecache-log}) prints
 * the lines in order. A full queue drops the line and counts it; the writer then prints a
 * {@code "log.dropped"} line with the count, so nothing is lost silently.
 *
 * <p>Each line starts with {@code "ts"} (UTC, ISO-8601), {@code "level"} and {@code "event"}, then
 * the fields in the order given. Values: strings, numbers, booleans, {@code null}, durations (as
 * milliseconds: name the field {@code ...Millis}), collections (arrays) and maps (objects).
 *
 * <pre>{@code
 * log.info("listening", "transport", "tcp", "url", "tcp://127.0.0.1:7878");
 * log.flush(Duration.ofSeconds(1)); // on a thread that may block
 * }</pre>
 *
 * <p>Implementation notes. A JCTools MPSC array queue (lock-free offer) between the loggers and
 * the single writer (the Agrona habit of a single writer fed by a queue); the writer parks when
 * the queue is empty and a logger unparks it after each offer. {@link #flush} and {@link #close}
 * are the only blocking methods: they wait for the writer to catch up.
 */
final class JsonLog implements AutoCloseable {
  private static final int CAPACITY = 4096;

  private final PrintWriter out;
  private final Clock clock;
  private final MpscArrayQueue<String> lines = new MpscArrayQueue<>(CAPACITY);
  private final AtomicLong offered = new AtomicLong();
  private final LongAdder dropped = new LongAdder();
  private final Thread writer;
  private volatile long written;
  private volatile boolean open = true;
  /** Drops already reported in a "log.dropped" line; only the writer touches it. */
  private long dropsReported;

  JsonLog(PrintWriter out, Clock clock) {
    this.out = out;
    this.clock = clock;
    this.writer = Thread.ofPlatform().name("tidecache-log").daemon(true).unstarted(this::write);
    writer.start();
  }

  /** A log on {@code out} with the system clock. */
  static JsonLog to(PrintWriter out) {
    return new JsonLog(out, Clock.systemUTC());
  }

  void info(String event, Object... fields) {
    write("info", event, fields);
  }

  void warn(String event, Object... fields) {
    write("warn", event, fields);
  }

  void error(String event, Object... fields) {
    write("error", event, fields);
  }

  /** One line: {@code fields} are name, value pairs. Never blocks. */
  void write(String level, String event, Object... fields) {
    String line = format(level, event, fields);
    if (!open) {
      synchronized (out) { // closed: the writer is gone; only stopping threads come here
        out.println(line);
        out.flush();
      }
      return;
    }
    if (lines.offer(line)) {
      offered.incrementAndGet();
      LockSupport.unpark(writer);
    } else {
      dropped.increment();
    }
  }

  /** Lines dropped because the queue was full. */
  long dropped() {
    return dropped.sum();
  }

  /**
   * Waits until every line offered so far is written, at most {@code timeout}. Blocks: not for
   * event-loop or engine threads.
   */
  boolean flush(Duration timeout) {
    long target = offered.get();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (written < target) {
      if (System.nanoTime() > deadline || !writer.isAlive()) {
        return false;
      }
      LockSupport.unpark(writer);
      LockSupport.parkNanos(100_000);
    }
    return true;
  }

  /** Writes what is queued and stops the writer; later lines are written by their caller. */
  @Override
  public void close() {
    flush(Duration.ofSeconds(5));
    open = false;
    LockSupport.unpark(writer);
    try {
      writer.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drain(); // anything offered while closing
  }

  private void write() {
    while (open) {
      if (drain() == 0) {
        LockSupport.parkNanos(this, 50_000_000);
      }
    }
  }

  /** Prints every queued line; returns how many. Only the writer (or close, after it) calls. */
  private int drain() {
    int n = 0;
    String line;
    synchronized (out) {
      while ((line = lines.poll()) != null) {
        out.println(line);
        n++;
      }
      out.flush();
    }
    if (n > 0) {
      written += n; // single writer: no lost update
    }
    reportDrops();
    return n;
  }

  private void reportDrops() {
    long lost = dropped.sum();
    if (lost > dropsReported) {
      long fresh = lost - dropsReported;
      dropsReported = lost;
      synchronized (out) {
        out.println(format("warn", "log.dropped", new Object[] {"lines", fresh,
            "reason", "the log queue was full (" + CAPACITY + " lines)"}));
        out.flush();
      }
    }
  }

  private String format(String level, String event, Object[] fields) {
    if (fields.length % 2 != 0) {
      throw new IllegalArgumentException("fields come in name, value pairs");
    }
    StringBuilder b = new StringBuilder(128);
    b.append("{\"ts\":");
    string(b, clock.instant().toString());
    b.append(",\"level\":");
    string(b, level);
    b.append(",\"event\":");
    string(b, event);
    for (int i = 0; i < fields.length; i += 2) {
      b.append(',');
      string(b, String.valueOf(fields[i]));
      b.append(':');
      value(b, fields[i + 1]);
    }
    return b.append('}').toString();
  }

  private static void value(StringBuilder b, Object v) {
    switch (v) {
      case null -> b.append("null");
      case Boolean bool -> b.append(bool);
      case Double d when d.isNaN() || d.isInfinite() -> b.append("null");
      case Float f when f.isNaN() || f.isInfinite() -> b.append("null");
      case Number n -> b.append(n);
      case Duration d -> b.append(d.toMillis());
      case Map<?, ?> m -> {
        b.append('{');
        Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
        while (it.hasNext()) {
          Map.Entry<?, ?> e = it.next();
          string(b, String.valueOf(e.getKey()));
          b.append(':');
          value(b, e.getValue());
          if (it.hasNext()) {
            b.append(',');
          }
        }
        b.append('}');
      }
      case Collection<?> c -> {
        b.append('[');
        Iterator<?> it = c.iterator();
        while (it.hasNext()) {
          value(b, it.next());
          if (it.hasNext()) {
            b.append(',');
          }
        }
        b.append(']');
      }
      default -> string(b, v.toString());
    }
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
