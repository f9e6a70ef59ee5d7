/**
 * The load generator: {@link io.tidecache.loadtest.gen.LoadGenerator} is the command. An
 * open-loop driver ({@code OpenLoopDriver}) starts read-through requests ({@code ReadThrough}) at
 * the intended times of a traffic shape ({@code TrafficShape}) with keys from a distribution or a
 * trace ({@code KeyChooser}), against a target ({@code Target}: the embedded engine with or
 * without its autoscaler, a tidecache server over RSocket, or redis-server through Lettuce);
 * {@code LoadRun} ties one run together and hands its figures to
 * {@code io.tidecache.loadtest.report}. Two scenarios build on it: {@code ElasticProof} and
 * {@code ShrinkMemory}. See {@code load-test/README.md}, section "Load generator".
 */
package io.tidecache.loadtest.gen;
