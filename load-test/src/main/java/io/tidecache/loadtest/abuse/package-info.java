/**
 * Clients that misbehave, for measuring what the server holds under them (issue 17): clients
 * that send and never read ({@link io.tidecache.loadtest.abuse.NonReadingClients}), scans on
 * sockets nobody reads ({@link io.tidecache.loadtest.abuse.UnreadScans}), and a steady load
 * through a SIGTERM, counting what every request got back
 * ({@link io.tidecache.loadtest.abuse.StopUnderLoad}). Each is bounded in time and talks to a
 * server on loopback only; {@code load-test/README.md}, section "Misbehaving clients", has the
 * commands and the figures.
 */
package io.tidecache.loadtest.abuse;
