package io.tidecache.engine.check;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stateless: checks the recorded history of one key against the conditions a linearizable
 * register with unique writes must meet (P. B. Gibbons and E. Korach, "Testing shared memories",
 * SIAM J. Comput. 1997, the read-mapping case). A read never returns a value from the future,
 * nor a value that a completed write had already overwritten; a miss is explained by a remove
 * (or the initial absence) not overwritten before the read began; and two reads in real-time
 * order never see writes in the opposite order.
 *
 * <p>Used by {@code MigrationHistoryTest} and by the long soak in {@code load-test}
 * ({@code io.tidecache.loadtest.soak.ElasticSoak}); shipped in the engine's test jar.
 */
public final class RegisterHistory {
  /** The value of a read that found nothing, and of every remove. */
  public static final long ABSENT = -1;

  /** What an operation did. */
  public enum Kind { GET, PUT, REMOVE }

  /**
   * One completed operation on one key: [invoke, response] in {@code System.nanoTime()}.
   *
   * @param value the unique value written, the value read, or {@link #ABSENT}
   */
  public record Op(int key, Kind kind, long value, long invoke, long response) {}

  private RegisterHistory() {}

  /** Checks one key's history, which starts from absence; adds a line per violation. */
  public static void check(List<Op> ops, Collection<String> violations) {
    List<Op> writes = ops.stream().filter(o -> o.kind() != Kind.GET).toList();
    List<Op> reads = ops.stream().filter(o -> o.kind() == Kind.GET).toList();
    Map<Long, Op> byValue = new HashMap<>();
    for (Op w : writes) {
      if (w.kind() == Kind.PUT) {
        byValue.put(w.value(), w);
      }
    }
    Op initial = new Op(-1, Kind.REMOVE, ABSENT, Long.MIN_VALUE, Long.MIN_VALUE);
    for (Op r : reads) {
      if (r.value() != ABSENT) {
        Op w = byValue.get(r.value());
        if (w == null) {
          violations.add("read of a value never written here: " + r);
          continue;
        }
        if (w.invoke() > r.response()) {
          violations.add("read from the future: " + r + " of " + w);
        }
        for (Op x : writes) {
          if (x != w && x.invoke() > w.response() && x.response() < r.invoke()) {
            violations.add("stale read: " + r + " returned " + w + " overwritten by " + x);
            break;
          }
        }
      } else {
        boolean explained = false;
        for (Op a : writes) {
          if (a.kind() == Kind.REMOVE && explains(a, r, writes)) {
            explained = true;
            break;
          }
        }
        if (!explained && !explains(initial, r, writes)) {
          violations.add("false miss: " + r + " after a completed write and no remove");
        }
      }
    }
    for (Op r1 : reads) {
      for (Op r2 : reads) {
        if (r1.response() >= r2.invoke() || r1.value() == r2.value()) {
          continue;
        }
        if (r1.value() != ABSENT && r2.value() != ABSENT) {
          Op w1 = byValue.get(r1.value());
          Op w2 = byValue.get(r2.value());
          if (w1 != null && w2 != null && w2.response() < w1.invoke()) {
            violations.add("new-old inversion: " + r1 + " then " + r2);
          }
        } else if (r1.value() != ABSENT) {
          boolean removedBetween = writes.stream().anyMatch(a -> a.kind() == Kind.REMOVE
              && a.response() > r1.invoke() && a.invoke() < r2.response());
          if (!removedBetween) {
            violations.add("value vanished: " + r1 + " then " + r2 + " with no remove between");
          }
        }
      }
    }
  }

  /** True if "absent" written by {@code a} can be what read {@code r} saw. */
  private static boolean explains(Op a, Op r, List<Op> writes) {
    if (a.invoke() > r.response()) {
      return false;
    }
    for (Op x : writes) {
      if (x.kind() == Kind.PUT && x.invoke() > a.response() && x.response() < r.invoke()) {
        return false;
      }
    }
    return true;
  }
}
