package io.tidecache.loadtest.gen;

/**
 * Immutable: the memory gauges at one named moment of the shrink-memory scenario.
 *
 * @param label what happened then ("before fill", "peak", "1 s after shrink"...)
 * @param tSeconds seconds since the scenario part started
 * @param gauges the gauges then
 * @param entries entries (tidecache) or keys (redis DBSIZE) then, -1 if unknown
 */
record MemoryMoment(String label, double tSeconds, Gauges gauges, long entries) {}
