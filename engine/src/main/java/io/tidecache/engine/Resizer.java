package io.tidecache.engine;

import io.tidecache.api.CacheClosed;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.RehashProgress;
import io.tidecache.api.ShardEvent;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Thread-safe: the control plane of one elastic shard set: which shards are leased, how many own
 * keys, the pending target, the rehash running, and the routing the data plane reads.
 *
 * <p>Implementation notes. The control state is one immutable {@link Control} in an
 * {@link AtomicReference}, changed by compare-and-set, so no lock is taken. The routing is a
 * separate volatile snapshot ({@link Routing}) read once per operation. Whoever holds the right
 * to change the routing is defined by the control state: the caller whose compare-and-set
 * installed a rehash as {@code running}, and then that rehash's completion, until its own
 * compare-and-set clears {@code running}. So a completing rehash publishes its routing before it
 * lets go (issue 16, bug 1: written after, it overwrote the migrating routing of a resize that a
 * poller of {@code rehashing()} started in between), and no one else ever writes it. Shards added
 * and removed again before any rehash never entered a routing, so retiring them writes none.
 * {@code closed} is carried through every change (a completion used to drop it, reopening a cache
 * closed under its last barrier).
 *
 * <p>A rehash runs in three steps. (1) A snapshot with {@code target != owners} is published and
 * each source shard is told to start: from then on, the home shard of a moving key moves it on
 * first touch and forwards its operations to the destination, in order, while its scan hands the
 * other moving entries over in bounded chunks. (2) Each source ends its scan with a barrier to
 * every destination. (3) When the last barrier is passed, every moved entry is in place, so the
 * snapshot with {@code owners == target} is published, and removed shards retire (forward what
 * is left, release their lease).
 */
final class Resizer {
  static final int MAX_SHARDS = 1024;

  /** Control-plane state: every leased shard, the pending target, the running rehash. */
  record Control(Shard[] shards, int owners, int pending, Rehash running, boolean closed) {}

  private final ElasticShardSet set;
  private final AtomicReference<Control> control;
  /** Read directly by the data plane (one volatile read, no call: see ElasticShardSet#submit). */
  volatile Routing routing;

  Resizer(ElasticShardSet set, Shard[] base) {
    this.set = set;
    this.control = new AtomicReference<>(new Control(base, base.length, base.length, null,
        false));
    this.routing = new Routing(base, base.length, base.length);
  }

  Control control() {
    return control.get();
  }

  Routing routing() {
    return routing;
  }

  String name() {
    return set.name();
  }

  long now() {
    return set.now();
  }

  int buckets() {
    return set.layout().buckets;
  }

  void countMoved(long n) {
    set.countMoved(n);
  }

  Mono<Integer> addShard() {
    return Mono.fromCallable(() -> {
      for (;;) {
        Control c = control.get();
        refuseResize(c, "add a shard");
        if (c.pending() >= MAX_SHARDS) {
          throw new InvalidRequest("cache '" + name() + "' has the most shards allowed ("
              + MAX_SHARDS + ")");
        }
        if (c.pending() < c.shards().length) {
          if (control.compareAndSet(c, new Control(c.shards(), c.owners(), c.pending() + 1,
              null, c.closed()))) {
            return c.pending() + 1;
          }
          continue;
        }
        Shard shard = set.maker().newShard(c.shards().length);
        Shard[] grown = Arrays.copyOf(c.shards(), c.shards().length + 1);
        grown[c.shards().length] = shard;
        if (control.compareAndSet(c, new Control(grown, c.owners(), c.pending() + 1, null,
            c.closed()))) {
          set.maker().adopt(shard);
          return c.pending() + 1;
        }
        set.maker().discard(shard); // lost the race: it closes and releases its lease
      }
    });
  }

  Mono<Integer> removeShard() {
    return Mono.fromCallable(() -> {
      for (;;) {
        Control c = control.get();
        refuseResize(c, "remove a shard");
        if (c.pending() <= set.baseShards()) {
          throw new InvalidRequest("cache '" + name() + "' is at its base size of "
              + set.baseShards() + " shard(s); nothing to remove");
        }
        if (control.compareAndSet(c, new Control(c.shards(), c.owners(), c.pending() - 1, null,
            c.closed()))) {
          return c.pending() - 1;
        }
      }
    });
  }

  private void refuseWhileBusy(Control c, String what) {
    if (c.closed()) {
      throw new CacheClosed(name());
    }
    if (c.running() != null) {
      throw new InvalidRequest("cannot " + what + " of cache '" + name()
          + "' while a rehash runs (" + c.running().from + " -> " + c.running().to
          + " shards); retry when it completes");
    }
  }

  /** Adding or removing a shard also waits for a failed rehash to be run again. */
  private void refuseResize(Control c, String what) {
    refuseWhileBusy(c, what);
    Routing r = routing;
    if (r.migrating()) {
      throw new InvalidRequest("cannot " + what + " of cache '" + name() + "': a rehash from "
          + r.owners + " to " + r.target + " shards failed half way; call rehash() to finish "
          + "it first");
    }
  }

  Flux<RehashProgress> rehash() {
    return Flux.defer(() -> {
      for (;;) {
        Control c = control.get();
        refuseWhileBusy(c, "start a rehash");
        if (c.pending() == c.owners()) {
          retireUnused(c);
          return Flux.just(new RehashProgress(name(), c.owners(), c.owners(), 0, 0, 0, true));
        }
        Rehash rehash = new Rehash(this, c.owners(), c.pending(), c.shards(), now());
        if (!control.compareAndSet(c, new Control(c.shards(), c.owners(), c.pending(), rehash,
            c.closed()))) {
          continue;
        }
        routing = new Routing(c.shards(), rehash.from, rehash.to);
        set.publish(new ShardEvent.RehashStarted(name(), rehash.from, rehash.to, now()));
        for (int s : rehash.sources()) {
          c.shards()[s].deliver(new InternalTask.StartMigration(rehash));
        }
        return rehash.progress();
      }
    });
  }

  /** Called by the engine thread that passed the last barrier. */
  void completeRehash(Rehash rehash) {
    Seams.at("rehash.completing", set);
    for (;;) {
      Control c = control.get();
      if (c.running() != rehash) {
        return;
      }
      Shard[] kept = rehash.to < c.shards().length && rehash.to < rehash.from
          ? Arrays.copyOf(c.shards(), rehash.to) : c.shards();
      // Removed shards run nothing from here on (every operation is forwarded): fold their
      // tallies and drop their meters before a new shard can take the index (what they still
      // count joins the totals when they retire).
      for (int i = kept.length; i < c.shards().length; i++) {
        set.foldAndUnbind(c.shards()[i]);
      }
      Seams.at("rehash.folded", set);
      routing = new Routing(kept, rehash.to, rehash.to); // first: see the class notes
      if (control.compareAndSet(c, new Control(kept, rehash.to, c.pending(), null,
          c.closed()))) {
        Seams.at("rehash.published", set);
        for (int i = kept.length; i < c.shards().length; i++) {
          c.shards()[i].deliver(new InternalTask.Retire());
        }
        long took = now() - rehash.startedAt;
        set.rehashCompleted(rehash, took);
        return;
      }
    }
  }

  /** A rehash that cannot finish (it failed, or the cache closed under it): forget it. */
  void abortRehash(Rehash rehash) {
    Control c;
    do {
      c = control.get();
      if (c.running() != rehash) {
        return;
      }
    } while (!control.compareAndSet(c, new Control(c.shards(), c.owners(), c.pending(), null,
        c.closed())));
  }

  /** Shards added and removed again before any rehash own nothing: release them at once. */
  private void retireUnused(Control c) {
    if (c.shards().length > c.owners()) {
      Shard[] kept = Arrays.copyOf(c.shards(), c.owners());
      if (control.compareAndSet(c, new Control(kept, c.owners(), c.pending(), null,
          c.closed()))) {
        for (int i = kept.length; i < c.shards().length; i++) {
          set.foldAndUnbind(c.shards()[i]);
          c.shards()[i].deliver(new InternalTask.Retire());
        }
      }
    }
  }

  /** Marks the control state closed; returns the state it had just before. */
  Control close() {
    Control c;
    do {
      c = control.get();
      if (c.closed()) {
        return c;
      }
    } while (!control.compareAndSet(c, new Control(c.shards(), c.owners(), c.pending(),
        c.running(), true)));
    return c;
  }
}
