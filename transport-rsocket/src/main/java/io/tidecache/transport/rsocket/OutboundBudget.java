package io.tidecache.transport.rsocket;

import io.netty.channel.Channel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe: the bytes one connection has queued for its client and not yet written to the
 * socket, and what the server does when they pile up: it stops reading the connection's requests
 * and its streams stop asking their sources for more ({@link PacedByConnection}, both).
 *
 * <p>Implementation notes. An answer passes two queues on its way out: rsocket-java's send queue
 * (unbounded: every frame any thread sends is queued there at once) and Netty's outbound buffer,
 * which Reactor Netty fills from that queue up to a fixed number of messages whether or not the
 * socket takes them. Netty's writability (its watermarks) sees only the second, and a client
 * that never reads keeps the first growing without bound. So the bytes are counted here: added
 * when a frame enters the send queue ({@link #added}, any thread), taken off when the frame
 * reaches Netty's buffer ({@link #left}, the event loop, from {@link OutboundMeter}). The
 * connection is <em>congested</em> while more than {@code high} bytes wait in the send queue or
 * Netty's buffer is not writable (its high watermark is set to the same {@code high}); it is
 * relieved once at most {@code low} bytes wait and Netty's buffer is writable again. While it is
 * congested, the flows paced by it ask for nothing: no request frame is handed to rsocket-java
 * (so Reactor Netty stops reading the socket) and no stream asks its cache for more; relief
 * wakes them ({@link #whenRelieved}).
 *
 * <p>The congested flag may be raised by any thread (a cache answering on an engine thread); it
 * is lowered only on the event loop, which then looks again at the count, so a frame added
 * during the relief cannot leave the connection uncongested with more than {@code high} bytes
 * queued.
 */
final class OutboundBudget {
  private final Channel channel;
  private final long high;
  private final long low;
  private final ServerCounters counters;
  private final AtomicLong queued = new AtomicLong();
  private final AtomicBoolean congested = new AtomicBoolean();
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  /**
   * @param high bytes queued for the client past which the connection is congested
   */
  OutboundBudget(Channel channel, long high, ServerCounters counters) {
    this.channel = channel;
    this.high = high;
    this.low = high / 2;
    this.counters = counters;
  }

  /** A frame of {@code bytes} entered the send queue. Any thread. */
  void added(int bytes) {
    if (closed) {
      return;
    }
    if (queued.addAndGet(bytes) > high) {
      raise();
    }
  }

  /** A frame of {@code bytes} left the send queue for Netty's buffer. The event loop. */
  void left(int bytes) {
    queued.addAndGet(-bytes);
    if (congested.get()) {
      relieveIfDrained();
    }
  }

  /** Netty's buffer became writable or unwritable. The event loop. */
  void writabilityChanged() {
    if (!channel.isWritable()) {
      raise();
    } else if (congested.get()) {
      relieveIfDrained();
    }
  }

  /** True while this connection's client is behind: streams must not ask for more. */
  boolean congested() {
    return congested.get();
  }

  /** Bytes waiting in the send queue now. */
  long queued() {
    return queued.get();
  }

  /**
   * Runs {@code task} once the connection is relieved (on the event loop) or closing, or at once
   * when it is not congested by the time it is registered.
   */
  void whenRelieved(Runnable task) {
    waiting.add(task);
    if (!congested.get() || closed) {
      runWaiting();
    }
  }

  /**
   * The connection is closing: it is never congested again, and the flows that waited are woken
   * (inbound frames are then read and dropped until the client has closed).
   */
  void close() {
    closed = true;
    if (congested.compareAndSet(true, false)) {
      counters.congestion(-1);
    }
    runWaiting();
  }

  /** Raises the congested flag (counted once per episode). */
  private void raise() {
    if (!closed && congested.compareAndSet(false, true)) {
      counters.congestion(1);
    }
  }

  private void relieveIfDrained() {
    if (queued.get() > low || !channel.isWritable() || closed) {
      return;
    }
    if (!congested.compareAndSet(true, false)) {
      return;
    }
    counters.congestion(-1);
    runWaiting();
    // A frame added while the flag was up did not raise it again: look once more.
    if (queued.get() > high) {
      raise();
    }
  }

  /**
   * Runs the tasks that were waiting when called, no more: a task that finds the connection
   * congested again registers anew, and must wait for the next relief, not run again now (that
   * would spin the event loop). Stops as soon as the connection is congested again.
   */
  private void runWaiting() {
    for (int n = waiting.size(); n > 0 && (closed || !congested.get()); n--) {
      Runnable task = waiting.poll();
      if (task == null) {
        return;
      }
      task.run();
    }
  }
}
