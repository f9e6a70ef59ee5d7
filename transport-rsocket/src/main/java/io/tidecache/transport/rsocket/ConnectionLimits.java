package io.tidecache.transport.rsocket;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe: the RSocket connections open now, in total and per client address, against the
 * server's limits. A connection counts from the moment it is accepted (over WebSocket: from the
 * upgrade), whether or not it has sent its SETUP, until it is closed.
 *
 * <p>A client address is the IP address alone: every port of one host counts together. Behind a
 * proxy or a NAT many clients share one address, which is what the total limit is for; the
 * per-address limit can be turned off (0).
 */
final class ConnectionLimits {
  private final int maxTotal;
  private final int maxPerAddress;
  private final AtomicInteger total = new AtomicInteger();
  /** Open connections per address; an address leaves the map with its last connection. */
  private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

  /**
   * @param maxTotal connections open at once
   * @param maxPerAddress connections open at once from one address (0: no such limit)
   */
  ConnectionLimits(int maxTotal, int maxPerAddress) {
    this.maxTotal = maxTotal;
    this.maxPerAddress = maxPerAddress;
  }

  /**
   * Counts one more connection from {@code address} and returns {@code null}, or returns why it
   * is refused (and counts nothing).
   */
  String tryOpen(InetAddress address) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return maxTotal + " connections are open (the server's limit)";
    }
    if (maxPerAddress > 0 && address != null) {
      boolean[] full = new boolean[1];
      perAddress.compute(address, (a, n) -> {
        int open = n == null ? 0 : n;
        full[0] = open >= maxPerAddress;
        return full[0] ? n : Integer.valueOf(open + 1);
      });
      if (full[0]) {
        total.decrementAndGet();
        return maxPerAddress + " connections from " + address.getHostAddress()
            + " are open (the limit per client address)";
      }
    }
    return null;
  }

  /** One connection from {@code address}, counted by {@link #tryOpen}, has closed. */
  void closed(InetAddress address) {
    total.decrementAndGet();
    if (maxPerAddress > 0 && address != null) {
      perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }
  }

  /** Connections counted now. */
  int open() {
    return total.get();
  }

  /** Addresses with a connection counted now (0 when no per-address limit is set). */
  int addresses() {
    return perAddress.size();
  }
}
