package io.tidecache.transport.rsocket;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe: every refusal, error and drop of one {@link RSocketCacheServer}, counted, with the
 * meter names in one place.
 *
 * <p>Micrometer names (after {@link #bindTo(MeterRegistry)}): {@value #REFUSALS} tagged
 * {@code reason} (one per {@link Refusal}), {@value #EVENTS_DROPPED}, {@value #STATS_SKIPPED},
 * {@value #CANCELLED}, {@value #CONGESTED_TOTAL}, {@value #CLOSED_BY_STOP},
 * {@value #STREAMS_CUT}, {@value #REQUESTS_AFTER_CLOSE}, and the gauges {@value #CONNECTIONS},
 * {@value #AWAITING_SETUP}, {@value #CONGESTED}, {@value #OUTBOUND_QUEUED} and
 * {@value #IN_FLIGHT}.
 */
public final class ServerCounters {
  public static final String REFUSALS = "tidecache.transport.refusals";
  public static final String EVENTS_DROPPED = "tidecache.transport.events.dropped";
  public static final String STATS_SKIPPED = "tidecache.transport.stats.skipped";
  public static final String CANCELLED = "tidecache.transport.cancelled";
  public static final String CONNECTIONS = "tidecache.transport.connections";
  public static final String IN_FLIGHT = "tidecache.transport.in.flight";
  public static final String AWAITING_SETUP = "tidecache.transport.connections.awaiting.setup";
  public static final String CONGESTED = "tidecache.transport.connections.congested";
  public static final String CONGESTED_TOTAL = "tidecache.transport.congestion";
  public static final String OUTBOUND_QUEUED = "tidecache.transport.outbound.queued";
  public static final String CLOSED_BY_STOP = "tidecache.transport.closed.by.stop";
  public static final String STREAMS_CUT = "tidecache.transport.streams.cut";
  public static final String REQUESTS_AFTER_CLOSE = "tidecache.transport.requests.after.close";

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
    /**
     * A frame over the frame limit (TCP: CONNECTION_ERROR; WebSocket: close 1009), then the
     * connection is closed.
     */
    FRAME_TOO_LARGE,
    /** A frame whose lengths do not hold (CONNECTION_ERROR; closed). */
    MALFORMED_FRAME,
    /** A frame the protocol does not allow there (CONNECTION_ERROR; closed). */
    PROTOCOL_ERROR,
    /** A SETUP that cannot be served: its layout or values, lease, version (INVALID_SETUP). */
    INVALID_SETUP,
    /** No SETUP within the setup timeout (CONNECTION_ERROR; closed). */
    SETUP_TIMEOUT,
    /** The total or per-address connection limit (REJECTED_SETUP; closed). */
    TOO_MANY_CONNECTIONS,
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
  private final AtomicLong awaitingSetup = new AtomicLong();
  private final AtomicLong congested = new AtomicLong();
  private final LongAdder congestedTotal = new LongAdder();
  private final LongAdder closedByStop = new LongAdder();
  private final LongAdder streamsCut = new LongAdder();
  private final LongAdder requestsAfterClose = new LongAdder();
  private final Set<OutboundBudget> budgets = ConcurrentHashMap.newKeySet();

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

  /** Connections accepted that have not sent their SETUP yet. */
  public long awaitingSetup() { return awaitingSetup.get(); }

  /** Connections congested now: their reading is paused until their client catches up. */
  public long congested() { return congested.get(); }

  /** Times a connection became congested (and its reading was paused). */
  public long congestedTotal() { return congestedTotal.sum(); }

  /** Bytes queued for clients and not yet handed to the socket, over all connections. */
  public long outboundQueued() {
    long sum = 0;
    for (OutboundBudget b : budgets) {
      sum += b.queued();
    }
    return sum;
  }

  /** Connections closed by a graceful stop, each with a CONNECTION_CLOSE frame. */
  public long closedByStop() { return closedByStop.sum(); }

  /**
   * Streams still open when their connection was closed with a reason (a stop, a broken rule):
   * the ERROR frame on stream 0 ended them.
   */
  public long streamsCut() { return streamsCut.sum(); }

  /**
   * Requests read after their connection's closing ERROR frame was queued: not served; the client
   * has that frame, which ends them.
   */
  public long requestsAfterClose() { return requestsAfterClose.sum(); }

  /** Registers these counters with a registry. */
  public void bindTo(MeterRegistry registry) {
    for (Refusal r : Refusal.values()) {
      FunctionCounter.builder(REFUSALS, refusals.get(r), LongAdder::sum)
          .tag("reason", r.name().toLowerCase(java.util.Locale.ROOT))
          .description("requests and setups refused by the RSocket transport")
          .register(registry);
    }
    FunctionCounter.builder(EVENTS_DROPPED, eventsDropped, LongAdder::sum)
        .description("events dropped, oldest first, for a subscriber that fell behind")
        .register(registry);
    FunctionCounter.builder(STATS_SKIPPED, statsSkipped, LongAdder::sum)
        .description("stats-stream ticks skipped for a subscriber that had not asked for more")
        .register(registry);
    FunctionCounter.builder(CANCELLED, cancelled, LongAdder::sum)
        .description("requests, streams and channels cancelled by the client or its departure")
        .register(registry);
    FunctionCounter.builder(CONGESTED_TOTAL, congestedTotal, LongAdder::sum)
        .description("times a connection's client fell behind and its reading was paused")
        .register(registry);
    FunctionCounter.builder(CLOSED_BY_STOP, closedByStop, LongAdder::sum)
        .description("connections closed by a graceful stop with a CONNECTION_CLOSE frame")
        .register(registry);
    FunctionCounter.builder(STREAMS_CUT, streamsCut, LongAdder::sum)
        .description("streams ended by their connection's closing ERROR frame")
        .register(registry);
    FunctionCounter.builder(REQUESTS_AFTER_CLOSE, requestsAfterClose, LongAdder::sum)
        .description("requests read after their connection's closing ERROR frame, not served")
        .register(registry);
    Gauge.builder(CONNECTIONS, connections, AtomicLong::get)
        .description("RSocket connections set up (SETUP accepted) and open").register(registry);
    Gauge.builder(AWAITING_SETUP, awaitingSetup, AtomicLong::get)
        .description("connections accepted that have not sent their SETUP yet")
        .register(registry);
    Gauge.builder(CONGESTED, congested, AtomicLong::get)
        .description("connections whose reading is paused until their client reads")
        .register(registry);
    Gauge.builder(OUTBOUND_QUEUED, this, ServerCounters::outboundQueued).baseUnit("bytes")
        .description("bytes queued for clients, not yet handed to the socket").register(registry);
    Gauge.builder(IN_FLIGHT, inFlight, AtomicLong::get)
        .description("requests, streams and channels in flight").register(registry);
  }

  void refused(Refusal reason) { refusals.get(reason).increment(); }

  void eventDropped() { eventsDropped.increment(); }

  void statsTickSkipped() { statsSkipped.increment(); }

  void cancelledOne() { cancelled.increment(); }

  void connectionOpened() { connections.incrementAndGet(); }

  void connectionClosed() { connections.decrementAndGet(); }

  void inFlight(int delta) { inFlight.addAndGet(delta); }

  void awaitingSetup(int delta) { awaitingSetup.addAndGet(delta); }

  void congestion(int delta) {
    congested.addAndGet(delta);
    if (delta > 0) {
      congestedTotal.increment();
    }
  }

  void budget(OutboundBudget b, boolean live) {
    if (live) {
      budgets.add(b);
    } else {
      budgets.remove(b);
    }
  }

  void countClosedByStop() { closedByStop.increment(); }

  void streamsCut(int n) { streamsCut.add(n); }

  void requestAfterClose() { requestsAfterClose.increment(); }
}
