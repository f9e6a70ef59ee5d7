/**
 * The network benchmark: tidecache over RSocket (TCP, loopback) next to an RSocket echo server
 * (the floor of what RSocket costs without the cache) and redis-server driven by redis-benchmark.
 * {@link io.tidecache.loadtest.net.NetworkBenchmark} is the command; the two RSocket servers run
 * as child JVMs ({@link io.tidecache.loadtest.net.TideServerMain},
 * {@link io.tidecache.loadtest.net.EchoServerMain}) so that their CPU time can be read from
 * {@code /proc}. See {@code load-test/README.md}, section "Network benchmark".
 */
package io.tidecache.loadtest.net;
