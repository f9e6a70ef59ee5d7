package io.tidecache.server;

import io.tidecache.api.CacheStats;
import java.util.ArrayList;
import java.util.List;

/**
 * Not thread-safe (the demo's main thread records and reads): what the demo sampled of each cache
 * (every 100 ms), and the figures of its summary: memory-time (leased bytes integrated over time),
 * hit rates over the run, over the spike and per second, and the shard range.
 */
final class DemoRecorder {

  /**
   * Immutable: one cache, at one moment.
   *
   * @param t seconds into the run
   * @param shards shards then
   * @param leasedBytes memory leased then
   * @param hits cumulative gets that hit
   * @param misses cumulative gets that missed
   * @param puts cumulative puts
   */
  record Sample(double t, int shards, long leasedBytes, long hits, long misses, long puts) {
    static Sample of(double t, CacheStats s) {
      return new Sample(t, s.shards(), s.leasedBytes(), s.hits(), s.misses(), s.puts());
    }

    long operations() {
      return hits + misses + puts;
    }
  }

  private final List<List<Sample>> samples = new ArrayList<>();
  private final double[] byteSeconds;

  DemoRecorder(int caches) {
    for (int i = 0; i < caches; i++) {
      samples.add(new ArrayList<>());
    }
    byteSeconds = new double[caches];
  }

  /** Adds a sample; the memory held since the previous one counts until this one. */
  void record(int cache, Sample s) {
    List<Sample> list = samples.get(cache);
    if (!list.isEmpty()) {
      Sample prev = list.getLast();
      byteSeconds[cache] += prev.leasedBytes() * Math.max(0, s.t() - prev.t());
    }
    list.add(s);
  }

  List<Sample> samples(int cache) {
    return List.copyOf(samples.get(cache));
  }

  Sample last(int cache) {
    return samples.get(cache).getLast();
  }

  /** The last sample taken at or before {@code t} (the first one if none). */
  Sample at(int cache, double t) {
    Sample found = samples.get(cache).getFirst();
    for (Sample s : samples.get(cache)) {
      if (s.t() > t) {
        break;
      }
      found = s;
    }
    return found;
  }

  /** Leased bytes integrated over the run, in byte-seconds. */
  double memoryByteSeconds(int cache) {
    return byteSeconds[cache];
  }

  /** Hits over gets between the samples at {@code from} and {@code to} seconds (NaN: none). */
  double hitRate(int cache, double from, double to) {
    Sample a = at(cache, from);
    Sample b = at(cache, to);
    long hits = b.hits() - a.hits();
    long gets = hits + b.misses() - a.misses();
    return gets == 0 ? Double.NaN : (double) hits / gets;
  }

  int minShards(int cache) {
    return samples.get(cache).stream().mapToInt(Sample::shards).min().orElse(0);
  }

  int maxShards(int cache) {
    return samples.get(cache).stream().mapToInt(Sample::shards).max().orElse(0);
  }
}
