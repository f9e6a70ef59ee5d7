package io.tidecache.loadtest.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Stateless, thread-safe: the policies the simulator can replay, by the names its
 * {@code --policies} option takes and its table prints.
 */
final class Policies {
  /** tidecache's table replayed deterministically ({@link TablePolicy}). */
  static final String TIDECACHE = "tidecache";
  /** tidecache through the embedded engine's lossy read path ({@link EnginePolicy}). */
  static final String ENGINE = "engine";
  static final String CAFFEINE = "Caffeine";
  static final String LRU = "LRU";
  static final String OPT = "OPT";
  static final List<String> ALL = List.of(TIDECACHE, ENGINE, CAFFEINE, LRU, OPT);
  static final List<String> DEFAULT = List.of(TIDECACHE, CAFFEINE, LRU, OPT);

  private Policies() {}

  /** The policies named in {@code names} (any case), in the table's column order. */
  static List<String> parse(List<String> names) {
    List<String> chosen = new ArrayList<>();
    for (String n : names) {
      String want = n.strip();
      String found = ALL.stream().filter(p -> p.equalsIgnoreCase(want)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown policy '" + want
              + "'; known: " + ALL.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList()));
      if (!chosen.contains(found)) {
        chosen.add(found);
      }
    }
    return ALL.stream().filter(chosen::contains).toList();
  }

  /**
   * True for a policy whose replays of one trace always give the same hits, so that it is
   * replayed once whatever {@code --repeat} says: exact LRU and OPT.
   */
  static boolean deterministicAcrossReplays(String policy) {
    return policy.equals(LRU) || policy.equals(OPT);
  }

  /** A new, empty cache of {@code policy} for {@code entries}, at {@code capacity} entries. */
  static ReplayPolicy create(String policy, int entries, int capacity, long[] trace) {
    return switch (policy) {
      case TIDECACHE -> new TablePolicy(entries);
      case ENGINE -> new EnginePolicy(entries);
      case CAFFEINE -> new CaffeinePolicy(capacity);
      case LRU -> new LruPolicy(capacity);
      case OPT -> new OptPolicy(capacity, trace);
      default -> throw new IllegalArgumentException(policy);
    };
  }
}
