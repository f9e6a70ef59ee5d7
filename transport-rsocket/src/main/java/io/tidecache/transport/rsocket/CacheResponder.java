package io.tidecache.transport.rsocket;

import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.exceptions.RejectedException;
import io.rsocket.util.DefaultPayload;
import io.tidecache.api.ByteCache;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.Overloaded;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Thread-safe: answers the requests of one RSocket connection (one instance per accepted SETUP);
 * its methods are called on the connection's event loop, its answers may be signalled on engine
 * threads.
 *
 * <p>Implementation notes.
 * <ol>
 *   <li>Zero copy: the server decodes with {@code PayloadDecoder.ZERO_COPY}, so each inbound
 *       payload is a retained slice of a network buffer. Every payload is read at once (route,
 *       then the data copied into the {@code byte[]} the cache API takes) and released exactly
 *       once in a {@code finally}, on every path: request-response, request-stream, every element
 *       of a channel (the first, which carries the route, included), errors included. Nothing
 *       downstream ever holds a payload, so no discard hook or cancellation can release twice.
 *   <li>Admission: each request, stream and channel counts as one in flight from subscription to
 *       termination or cancellation; past {@code maxInFlight} it is answered REJECTED at once.
 *   <li>Backpressure: channels read their inbound elements only as fast as the cache asks for
 *       them (RSocket turns that demand into REQUEST_N frames). Every stream and channel answer
 *       is {@link PacedByConnection paced}: its source is asked for one element at a time, never
 *       more than the client requested, and only while the connection is not congested
 *       ({@link OutboundBudget}: the client reads what it was sent). So a client that asks for
 *       much and reads little holds the {@code cache.scan} back (the cache holds at most one
 *       region of entries in hand) instead of making the server buffer; the {@code events}
 *       stream keeps at most {@code eventBuffer} events for it and drops the oldest, counted;
 *       the stats stream skips the ticks it is not ready for, counted.
 * </ol>
 */
final class CacheResponder implements RSocket {
  private final RSocketCacheServer server;
  private final ServerCounters counters;
  private final boolean composite;
  private final OutboundBudget budget;
  private final AtomicInteger inFlight = new AtomicInteger();

  CacheResponder(RSocketCacheServer server, boolean composite, OutboundBudget budget) {
    this.server = server;
    this.counters = server.counters();
    this.composite = composite;
    this.budget = budget;
  }

  @Override
  public Mono<Payload> requestResponse(Payload payload) {
    Mono<Payload> call;
    try {
      Target t = target(payload, Route.Interaction.REQUEST_RESPONSE);
      call = switch (t.route.op()) {
        case GET -> t.cache.get(DataLayouts.readAll(payload.data())).map(DefaultPayload::create);
        case PUT -> put(t.cache, DataLayouts.readPut(payload.data()));
        case REMOVE -> t.cache.remove(DataLayouts.readAll(payload.data()))
            .map(removed -> DefaultPayload.create(DataLayouts.removed(removed)));
        case STATS -> t.cache.stats().map(s -> DefaultPayload.create(JsonText.of(s)));
        default -> throw new IllegalStateException("not a request-response: " + t.route);
      };
    } catch (RuntimeException e) {
      return Mono.error(WireErrors.toFrame(e, counters));
    } finally {
      payload.release();
    }
    return admitted(call);
  }

  private static Mono<Payload> put(ByteCache cache, DataLayouts.Put p) {
    Duration ttl = DataLayouts.ttl(p.ttlMillis());
    Mono<Void> done = ttl == null ? cache.put(p.key(), p.value())
        : cache.put(p.key(), p.value(), ttl);
    return done.then(Mono.empty());
  }

  @Override
  public Flux<Payload> requestStream(Payload payload) {
    Flux<Payload> stream;
    try {
      Target t = target(payload, Route.Interaction.REQUEST_STREAM);
      stream = switch (t.route.op()) {
        case EVENTS -> server.events()
            .onBackpressureBuffer(server.eventBuffer(), dropped -> counters.eventDropped(),
                BufferOverflowStrategy.DROP_OLDEST)
            .map(e -> DefaultPayload.create(JsonText.of(e)));
        case STATS_STREAM -> statsStream(t.cache, DataLayouts.readInterval(payload.data()));
        case SCAN -> scan(t.cache, payload);
        default -> throw new IllegalStateException("not a request-stream: " + t.route);
      };
    } catch (RuntimeException e) {
      return Flux.error(WireErrors.toFrame(e, counters));
    } finally {
      payload.release();
    }
    return admitted(paced(stream));
  }

  /** The stream, asking its source for more only while the client keeps up (see the notes). */
  private Flux<Payload> paced(Flux<Payload> stream) {
    return new PacedByConnection<>(stream, budget, PacedByConnection.ANSWERS);
  }

  /**
   * One payload per entry, in the {@code entry} layout. The cache's scan is asked for entries
   * only as the client requests them and reads them ({@link PacedByConnection}: one at a time,
   * while the connection is not congested), and nothing between here and the cache prefetches
   * or buffers.
   */
  private static Flux<Payload> scan(ByteCache cache, Payload request) {
    DataLayouts.readEmpty(request.data(), Route.Op.SCAN.prefix());
    return cache.scan().map(e -> DefaultPayload.create(DataLayouts.entry(e.key(), e.value())));
  }

  private Flux<Payload> statsStream(ByteCache cache, Duration interval) {
    return Flux.interval(Duration.ZERO, interval)
        .onBackpressureDrop(tick -> counters.statsTickSkipped())
        .concatMap(tick -> cache.stats(), 1)
        .map(s -> DefaultPayload.create(JsonText.of(s)));
  }

  @Override
  public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
    ChannelReader reader = new ChannelReader();
    return Flux.from(payloads)
        .doOnSubscribe(reader::inbound)
        .map(reader::read)
        .switchOnFirst((first, elements) -> {
          if (!first.hasValue()) {
            return elements.thenMany(Flux.empty());
          }
          if (first.get() instanceof ChannelReader.Failed f) {
            // Fail the outbound, then cancel the inbound: in that order RSocket ends the stream
            // without also failing the inbound nobody reads (which it would log as dropped).
            return Flux.<Payload>error(WireErrors.toFrame(f.error(), counters))
                .doAfterTerminate(reader::cancelInbound);
          }
          Target t = reader.target;
          Flux<Payload> out = switch (t.route.op()) {
            case GET_ALL -> t.cache.getAll(elements.handle(ChannelReader::unwrap))
                .map(e -> DefaultPayload.create(DataLayouts.entry(e.key(), e.value())));
            case PUT_ALL -> t.cache.putAll(elements.handle(ChannelReader::unwrap))
                .map(n -> DefaultPayload.create(DataLayouts.count(n)))
                .flux();
            default -> Flux.error(new IllegalStateException("not a channel: " + t.route));
          };
          return admitted(paced(out));
        });
  }

  @Override
  public Mono<Void> fireAndForget(Payload payload) {
    payload.release();
    return Mono.error(WireErrors.toFrame(WireException.unknownRoute(
        "fire-and-forget is not served; see WIRE-FORMAT.md for the routes"), counters));
  }

  @Override
  public Mono<Void> metadataPush(Payload payload) {
    payload.release();
    return Mono.error(WireErrors.toFrame(WireException.unknownRoute(
        "metadata push is not served"), counters));
  }

  /** The route and cache of a request, checked against the interaction it came on. */
  private Target target(Payload payload, Route.Interaction interaction) {
    String name = MetadataCodec.readRoute(payload.metadata(), composite);
    Route route = Route.parse(name).orElseThrow(() -> WireException.unknownRoute("no route '"
        + name + "'; routes are cache.get|put|remove|stats|getAll|putAll|scan[.<cache>], "
        + "stats[.<cache>], events"));
    if (route.op().interaction() != interaction) {
      throw WireException.unknownRoute("route '" + name + "' is served as "
          + route.op().interaction() + ", not " + interaction);
    }
    if (!route.op().addressesCache()) {
      if (route.op() == Route.Op.EVENTS && server.events() == null) {
        throw WireException.unknownRoute("this server has no event source");
      }
      return new Target(route, null);
    }
    String cacheName = route.cache() != null ? route.cache() : server.defaultCache();
    if (cacheName == null) {
      throw WireException.unknownCache("route '" + name + "' names no cache and this server has "
          + "no default cache; use " + route.op().prefix() + ".<cacheName>");
    }
    ByteCache cache = server.lookup(cacheName);
    if (cache == null) {
      throw WireException.unknownCache("no cache named '" + cacheName + "' on this server");
    }
    return new Target(route, cache);
  }

  /**
   * A request-response admitted against the in-flight limit. Its slot is freed when the answer
   * is produced, before it is handed to RSocket: freeing it afterwards (doFinally) let a client
   * that keeps exactly the limit outstanding see its next request refused, because the answer
   * could reach it before the slot was free.
   */
  private <T> Mono<T> admitted(Mono<T> call) {
    return Mono.defer(() -> {
      RejectedException refused = admit();
      if (refused != null) {
        return Mono.<T>error(refused);
      }
      AtomicBoolean freed = new AtomicBoolean();
      return call.onErrorMap(e -> WireErrors.toFrame(e, counters))
          .doOnSuccess(v -> releaseOnce(freed, SignalType.ON_COMPLETE))
          .doOnError(e -> releaseOnce(freed, SignalType.ON_ERROR))
          .doOnCancel(() -> releaseOnce(freed, SignalType.CANCEL));
    });
  }

  private void releaseOnce(AtomicBoolean freed, SignalType signal) {
    if (freed.compareAndSet(false, true)) {
      release(signal);
    }
  }

  private <T> Flux<T> admitted(Flux<T> call) {
    return Flux.defer(() -> {
      RejectedException refused = admit();
      return refused != null ? Flux.<T>error(refused)
          : call.onErrorMap(e -> WireErrors.toFrame(e, counters)).doFinally(this::release);
    });
  }

  private RejectedException admit() {
    int max = server.maxInFlight();
    if (inFlight.incrementAndGet() > max) {
      inFlight.decrementAndGet();
      counters.refused(ServerCounters.Refusal.IN_FLIGHT);
      Overloaded o = new Overloaded("requests in flight on this connection", max);
      return new RejectedException(o.code() + ": " + o.getMessage());
    }
    counters.inFlight(1);
    return null;
  }

  private void release(SignalType signal) {
    inFlight.decrementAndGet();
    counters.inFlight(-1);
    if (signal == SignalType.CANCEL) {
      counters.cancelledOne();
    }
  }

  /** A request's parsed route and the cache it addresses ({@code null} for events). */
  private record Target(Route route, ByteCache cache) {}

  /**
   * Not thread-safe (one channel, whose elements arrive one at a time): turns each inbound
   * payload of a channel into a plain element and releases the payload. The first payload's
   * route fixes how the following ones are read.
   */
  private final class ChannelReader {
    sealed interface Element permits Key, Entry, Failed {}

    record Key(byte[] key) implements Element {}

    record Entry(CacheEntry<byte[], byte[]> entry) implements Element {}

    record Failed(RuntimeException error) implements Element {}

    private Target target;
    private Subscription inbound;

    void inbound(Subscription s) {
      inbound = s;
    }

    void cancelInbound() {
      inbound.cancel();
    }

    Element read(Payload payload) {
      try {
        if (target == null) {
          target = target(payload, Route.Interaction.REQUEST_CHANNEL);
        }
        return target.route.op() == Route.Op.PUT_ALL
            ? new Entry(DataLayouts.readEntry(payload.data()))
            : new Key(DataLayouts.readAll(payload.data()));
      } catch (RuntimeException e) {
        return new Failed(e);
      } finally {
        payload.release();
      }
    }

    @SuppressWarnings("unchecked")
    static <T> void unwrap(Element e, reactor.core.publisher.SynchronousSink<T> sink) {
      switch (e) {
        case Key k -> sink.next((T) k.key());
        case Entry en -> sink.next((T) en.entry());
        case Failed f -> sink.error(f.error());
      }
    }
  }
}
