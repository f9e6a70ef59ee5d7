package io.tidecache.transport.rsocket;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe: every refusal, error and drop of one {@link RSocketCacheServer}, counted, with the
 * meter names in one place.
 *
 * <p>Micrometer names (after {@link #bindTo(MeterRegistry)}): {@value #REFUSALS} tagged
 * {@code reason} (one per {@link Refusal}), {@value #EVENTS_DROPPED}, {@value #STATS_SKIPPED},
 * {@value #CANCELLED}, and the gauges {@value #CONNECTIONS} and {@value #IN_FLIGHT}.
 */
public final class ServerCounters {
  public static final String REFUSALS = "tidecache.transport.refusals";
  public static final String EVENTS_DROPPED = "tidecache.transport.events.dropped";
  public static final String STATS_SKIPPED = "tidecache.transport.stats.skipped";
  public static final String CANCELLED = "tidecache.transport.cancelled";
  public static final String CONNECTIONS = "tidecache.transport.connections";
  public static final String IN_FLIGHT = "tidecache.transport.in.flight";

  /** Why a SETUP or a request was refused. */
  public enum Refusal {
    /** SETUP with a metadata MIME type other than composite or routing (REJECTED_SETUP). */
    UNSUPPORTED_SETUP,
    /** SETUP with a missing or wrong token (REJECTED_SETUP). */
    UNAUTHORIZED,
    /** A route no operation matches, or an operation on the wrong interaction. */
    UNKNOWN_ROUTE,
    /** No metadata, no routing entry, or malformed composite / routing / auth metadata. */
    BAD_METADATA,
    /** A cache name the server does not serve, or none and no default cache. */
    UNKNOWN_CACHE,
    /** Data that does not follow its layout. */
    BAD_PAYLOAD,
    /** A TCP frame over the frame limit (CONNECTION_ERROR, then the connection is closed). */
    FRAME_TOO_LARGE,
    /** The connection's requests in flight are at their limit (REJECTED). */
    IN_FLIGHT,
    /** The cache refused the request (bad input, overload, closed...). */
    CACHE_ERROR,
    /** An unexpected failure (a bug): answered INTERNAL. */
    INTERNAL
  }

  private final Map<Refusal, LongAdder> refusals = new EnumMap<>(Refusal.class);
  private final LongAdder eventsDropped = new LongAdder();
  private final LongAdder statsSkipped = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();

  ServerCounters() {
    for (Refusal r : Refusal.values()) {
      refusals.put(r, new LongAdder());
    }
  }

  /** Refusals of that kind since the server started. */
  public long refusals(Refusal reason) { return refusals.get(reason).sum(); }

  /** Refusals of every kind since the server started. */
  public long refusals() {
    long sum = 0;
    for (LongAdder a : refusals.values()) {
      sum += a.sum();
    }
    return sum;
  }

  /** Events dropped (oldest first) because an {@code events} subscriber fell behind. */
  public long eventsDropped() { return eventsDropped.sum(); }

  /** Stats-stream ticks skipped because the subscriber had not asked for more. */
  public long statsSkipped() { return statsSkipped.sum(); }

  /** Requests, streams and channels cancelled by the peer (or by its disconnection). */
  public long cancelled() { return cancelled.sum(); }

  /** Connections open now (SETUP accepted, not yet closed). */
  public long connections() { return connections.get(); }

  /** Requests, streams and channels in flight now, over all connections. */
  public long inFlight() { return inFlight.get(); }

  /** Registers these counters with a registry. */
  public void bindTo(MeterRegistry registry) {
    for (Refusal r : Refusal.values()) {
      FunctionCounter.builder(REFUSALS, refusals.get(r), LongAdder::sum)
          .tag("reason", r.name().toLowerCase(java.util.Locale.ROOT))
          .description("requests and setups refused by the RSocket transport")
          .register(registry);
    }
    FunctionCounter.builder(EVENTS_DROPPED, eventsDropped, LongAdder::sum).register(registry);
    FunctionCounter.builder(STATS_SKIPPED, statsSkipped, LongAdder::sum).register(registry);
    FunctionCounter.builder(CANCELLED, cancelled, LongAdder::sum).register(registry);
    Gauge.builder(CONNECTIONS, connections, AtomicLong::get).register(registry);
    Gauge.builder(IN_FLIGHT, inFlight, AtomicLong::get).register(registry);
  }

  void refused(Refusal reason) { refusals.get(reason).increment(); }

  void eventDropped() { eventsDropped.increment(); }

  void statsTickSkipped() { statsSkipped.increment(); }

  void cancelledOne() { cancelled.increment(); }

  void connectionOpened() { connections.incrementAndGet(); }

  void connectionClosed() { connections.decrementAndGet(); }

  void inFlight(int delta) { inFlight.addAndGet(delta); }
}
