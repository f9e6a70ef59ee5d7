package io.tidecache.loadtest.gen;

import reactor.core.publisher.Mono;

/**
 * Thread-safe: what a load run drives: a cache to get from and put into (any thread, non-blocking,
 * answers on any thread), and its memory gauges.
 */
interface Target extends AutoCloseable {

  /** One line for reports: what this is and where. */
  String describe();

  /** The value of {@code key}, or empty on a miss. */
  Mono<byte[]> get(byte[] key);

  /** Stores {@code value} under {@code key} with the run's TTL (the read-through fill). */
  Mono<Void> put(byte[] key, byte[] value);

  /**
   * The gauges now, without blocking: a local target reads them at once, a remote one answers
   * the last values it received and asks for fresh ones in the background.
   */
  Gauges gauges();

  /**
   * Starts whatever runs beside the load (an autoscaler, logs into the run's folder); called
   * once, just before the load starts.
   */
  default void loadStarting(RunClock clock, io.tidecache.loadtest.report.ReportFolder folder) {}

  /** Stops what {@link #loadStarting()} started; called once when the load has ended. */
  default void loadEnded() {}

  /** Lines for the run's summary (autoscaler decisions, server counters...). */
  default java.util.List<String> notes() {
    return java.util.List.of();
  }

  /** Releases the target (closes the engine, the connection, stops a child server). */
  @Override
  void close();
}
