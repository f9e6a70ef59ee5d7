package io.tidecache.transport.rsocket;

import java.util.Optional;

/**
 * Immutable: one parsed route, an operation and the cache it addresses ({@code null} for the
 * server's default cache, or for routes that address no cache).
 *
 * <p>A route is {@code <operation>} or {@code <operation>.<cacheName>}: {@code cache.get.users}
 * reads from cache {@code users}, {@code cache.get} from the default cache. Cache names may hold
 * dots ({@code cache.get.eu.users} addresses cache {@code eu.users}): the operation is the longest
 * known prefix followed by a dot or the end of the route.
 *
 * @param op the operation
 * @param cache the cache name, or {@code null}
 */
public record Route(Op op, String cache) {

  /** Kinds of RSocket interaction a route is served on. */
  public enum Interaction { REQUEST_RESPONSE, REQUEST_STREAM, REQUEST_CHANNEL }

  /** The operations of the wire format, with their route names and interactions. */
  public enum Op {
    GET("cache.get", Interaction.REQUEST_RESPONSE, true),
    PUT("cache.put", Interaction.REQUEST_RESPONSE, true),
    REMOVE("cache.remove", Interaction.REQUEST_RESPONSE, true),
    STATS("cache.stats", Interaction.REQUEST_RESPONSE, true),
    GET_ALL("cache.getAll", Interaction.REQUEST_CHANNEL, true),
    PUT_ALL("cache.putAll", Interaction.REQUEST_CHANNEL, true),
    SCAN("cache.scan", Interaction.REQUEST_STREAM, true),
    STATS_STREAM("stats", Interaction.REQUEST_STREAM, true),
    EVENTS("events", Interaction.REQUEST_STREAM, false);

    private final String prefix;
    private final Interaction interaction;
    private final boolean addressesCache;

    Op(String prefix, Interaction interaction, boolean addressesCache) {
      this.prefix = prefix;
      this.interaction = interaction;
      this.addressesCache = addressesCache;
    }

    /** The route name of this operation, without a cache name. */
    public String prefix() { return prefix; }

    public Interaction interaction() { return interaction; }

    /** Whether the route may end with {@code .<cacheName>}. */
    public boolean addressesCache() { return addressesCache; }

    /** This operation's route for the named cache ({@code null}: the default cache). */
    public String route(String cacheName) {
      return cacheName == null ? prefix : prefix + '.' + cacheName;
    }
  }

  /** Parses a route; empty when no operation matches (the caller answers UNKNOWN_ROUTE). */
  public static Optional<Route> parse(String route) {
    Op best = null;
    for (Op op : Op.values()) {
      String p = op.prefix;
      boolean matches = route.equals(p)
          || (op.addressesCache && route.length() > p.length() + 1 && route.startsWith(p)
              && route.charAt(p.length()) == '.');
      if (matches && (best == null || p.length() > best.prefix.length())) {
        best = op;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    String cache = route.length() == best.prefix.length() ? null
        : route.substring(best.prefix.length() + 1);
    return Optional.of(new Route(best, cache));
  }
}
