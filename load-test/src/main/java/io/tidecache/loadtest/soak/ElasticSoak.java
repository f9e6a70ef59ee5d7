package io.tidecache.loadtest.soak;

import io.tidecache.loadtest.cli.DurationOption;
import io.tidecache.api.CacheEntry;
import io.tidecache.api.CacheOptions;
import io.tidecache.api.CacheStats;
import io.tidecache.api.ElasticCache;
import io.tidecache.api.InvalidRequest;
import io.tidecache.api.PoolExhausted;
import io.tidecache.autoscaler.Autoscaler;
import io.tidecache.autoscaler.AutoscalerSettings;
import io.tidecache.engine.Engine;
import io.tidecache.engine.check.SteppedWallClock;
import io.tidecache.engine.check.RegisterHistory;
import io.tidecache.engine.check.RegisterHistory.Kind;
import io.tidecache.engine.check.RegisterHistory.Op;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine;
import reactor.core.Disposable;
import reactor.core.Disposables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

/**
 * Single-threaded command (it starts the client and scanner threads itself): the long soak of
 * the elastic shard set (issue 3). The CI test {@code MigrationHistoryTest} runs three fixed
 * cycles 1→8→1 for a few seconds; this runs random resizes for as long as asked, with the same
 * checks.
 *
 * <p>Each round picks a random shard count between the base and {@code --max-shards}, adds or
 * removes the shards in one go and rehashes to it, while {@code --clients} threads run
 * get/put/remove with unique values over {@code --hot-keys} keys and a scanner scans the whole
 * cache again and again. Every round uses fresh hot keys, so its per-key histories are checked
 * on their own ({@link RegisterHistory}) and then dropped: memory stays flat however long it
 * runs. Throughout: stable keys (written once, never removed) must never miss and must appear
 * exactly once in every scan; keys removed at the start must never come back; nothing may be
 * evicted. At the end the set shrinks to its base and every lease beyond it must be back in the
 * pool. One progress line per round; exit status 1 on any violation.
 *
 * <p>Modes (issue 16): {@code --driver poll} starts each resize the moment {@code rehashing()}
 * reads false instead of waiting for the rehash's Flux, as a polling caller or an autoscaler with
 * no cooldown does; {@code --autoscaler} runs such an autoscaler too, racing the driver;
 * {@code --clock-step} steps the wall clock that Reactor's schedulers read, forward and back,
 * every round. Lease losses count as violations.
 */
@Command(name = "elastic-soak", mixinStandardHelpOptions = true,
    description = "Random grows and shrinks of an embedded cache under concurrent clients and "
        + "scans, checking per-key linearizability, no false miss, no resurrection, scans "
        + "exactly-once, and every lease back at the end.")
public final class ElasticSoak implements Callable<Integer> {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @Option(names = "--duration", defaultValue = "5m", converter = DurationOption.class,
      description = "How long to run, e.g. 30s, 10m, 2h (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--clients", defaultValue = "3",
      description = "Client threads (default ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--max-shards", defaultValue = "8",
      description = "Most shards a round may go to (default ${DEFAULT-VALUE}).")
  int maxShards;

  @Option(names = "--hot-keys", defaultValue = "32",
      description = "Keys per round that clients read, write and remove (default "
          + "${DEFAULT-VALUE}).")
  int hotKeys;

  @Option(names = "--stable-keys", defaultValue = "20000",
      description = "Keys written once and never removed (default ${DEFAULT-VALUE}).")
  int stableKeys;

  @Option(names = "--ops-per-round", defaultValue = "2000",
      description = "Client operations between the end of one rehash and the next round "
          + "(default ${DEFAULT-VALUE}).")
  int opsPerRound;

  @Option(names = "--driver", defaultValue = "wait",
      description = "How resizes are driven: 'wait' (each waits for its rehash Flux to end), "
          + "'poll' (the next resize starts as soon as rehashing() says false, never waiting "
          + "for the Flux, as an autoscaler with no cooldown or a polling caller does) "
          + "(default ${DEFAULT-VALUE}).")
  Driver driver;

  @Option(names = "--autoscaler",
      description = "Also run an autoscaler with cooldown 0, sampling every 20 ms, whose "
          + "occupancy thresholds make it grow and shrink between 1 and 3 shards, racing the "
          + "driver's resizes (their refusals are counted, not violations).")
  boolean autoscaler;

  @Option(names = "--clock-step", defaultValue = "0s", converter = DurationOption.class,
      description = "Step the wall clock Reactor's schedulers read by this much every round, "
          + "forward and back in turn (0 = never). Leases and TTLs must not notice (default "
          + "${DEFAULT-VALUE}).")
  Duration clockStep;

  @Option(names = "--seed", defaultValue = "7",
      description = "Seed of the rounds' shard counts and the clients' operations (default "
          + "${DEFAULT-VALUE}).")
  long seed;

  /** How the soak's resizes are started. */
  enum Driver { wait, poll }

  private final AtomicLong unique = new AtomicLong(1);
  /** Resize calls refused because another driver's change was under way (expected). */
  private final AtomicLong refusedResizes = new AtomicLong();
  private final AtomicLong opsDone = new AtomicLong();
  private final AtomicLong round = new AtomicLong();
  /** A client's recorded operations of one round at most, in units of --ops-per-round. */
  static final int HISTORY_CAP_ROUNDS = 2;
  private final Queue<String> violations = new ConcurrentLinkedQueue<>();
  /** Histories of the hot keys of each round not yet checked, per client. */
  private final Map<Long, List<List<Op>>> histories = new ConcurrentHashMap<>();
  /** The round of each client's operation in progress, or -1 between operations. */
  private AtomicLongArray busyIn;
  private volatile long doomedAt = Long.MAX_VALUE;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ElasticSoak()).execute(args));
  }

  private static byte[] bytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static long decode(byte[] v) {
    return v == null ? RegisterHistory.ABSENT : ByteBuffer.wrap(v).getLong();
  }

  private static byte[] key(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public Integer call() throws Exception {
    if (clients < 1 || maxShards < 2 || maxShards > 64 || hotKeys < 1 || stableKeys < 1
        || opsPerRound < 1 || duration.isNegative() || duration.isZero()
        || clockStep.isNegative()) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "need --clients >= 1, 2 <= --max-shards <= 64, --hot-keys, --stable-keys and "
              + "--ops-per-round >= 1, a positive --duration and a --clock-step of 0 or more");
    }
    SteppedWallClock wall = clockStep.isZero() ? null : new SteppedWallClock();
    try {
      return soak(wall);
    } finally {
      if (wall != null) {
        wall.close();
      }
    }
  }

  private int soak(SteppedWallClock wall) throws Exception {
    // Eight times the stable keys per shard: a 16-way bucket then overflows (and evicts) with
    // negligible probability even at one shard, so any miss is the engine's fault.
    long shardBytes = Engine.shardBytesFor(8L * stableKeys, 24, 8);
    Engine engine = Engine.builder().poolBytes((maxShards + 1) * shardBytes).threads(2).build();
    try {
      ElasticCache cache = engine.createCache(CacheOptions.builder("soak").maxKeyBytes(24)
          .maxValueBytes(8).shardBytes(shardBytes).queueCapacity(1 << 14).build());
      return run(engine, cache, wall);
    } finally {
      engine.close().block(DEADLINE);
    }
  }

  /**
   * An autoscaler that keeps resizing: cooldown 0, one-sample windows, and thresholds around
   * the stable keys' occupancy (8x headroom at one shard: 1/8 full), so it grows at one shard
   * and shrinks from three.
   */
  private static Disposable startAutoscaler(ElasticCache cache) {
    AutoscalerSettings settings = AutoscalerSettings.builder()
        .sampleInterval(Duration.ofMillis(20)).cooldown(Duration.ZERO)
        .growOccupancy(0.10).shrinkMargin(0.05).shrinkOccupancy(0.045)
        .growWindow(1).shrinkWindow(1).growEvictionRate(0).maxShards(3).build();
    return Autoscaler.create(cache, settings).start();
  }

  private int run(Engine engine, ElasticCache cache, SteppedWallClock wall)
      throws InterruptedException {
    Disposable.Swap scaler = Disposables.swap(); // the autoscaler, once the start is measured
    try {
      return run(engine, cache, wall, scaler);
    } finally {
      scaler.dispose();
    }
  }

  private int run(Engine engine, ElasticCache cache, SteppedWallClock wall,
      Disposable.Swap scaler) throws InterruptedException {
    Flux.range(0, stableKeys).flatMap(k -> cache.put(key("s-" + k), bytes(k)), 256)
        .blockLast(DEADLINE);
    int doomed = Math.max(1, stableKeys / 10);
    Flux.range(0, doomed).flatMap(k -> cache.put(key("d-" + k), bytes(k)), 256)
        .blockLast(DEADLINE);
    long freeAtStart = engine.pool().freeBytes();
    int leasesAtStart = engine.pool().activeLeases();
    Flux.range(0, doomed).flatMap(k -> cache.remove(key("d-" + k)), 256).blockLast(DEADLINE);
    doomedAt = System.nanoTime();
    if (autoscaler) {
      scaler.update(startAutoscaler(cache));
    }
    System.out.printf(Locale.ROOT, "soak: %d stable keys, %d removed keys, %d hot keys per "
        + "round, %d clients, 1..%d shards of %.1f MiB, for %s; driver %s%s%s%n", stableKeys,
        doomed, hotKeys, clients, maxShards, cache.shardBytes() / 1048576.0, duration, driver,
        autoscaler ? ", autoscaler with cooldown 0" : "",
        wall != null ? ", wall clock stepped +/-" + clockStep + " every round" : "");

    AtomicBoolean running = new AtomicBoolean(true);
    busyIn = new AtomicLongArray(clients);
    for (int c = 0; c < clients; c++) {
      busyIn.set(c, -1);
    }
    CountDownLatch stopped = new CountDownLatch(clients + 1);
    histories.put(0L, newRoundHistories());
    for (int c = 0; c < clients; c++) {
      int client = c;
      SplittableRandom rnd = new SplittableRandom(seed * 31 + c);
      Thread.ofPlatform().name("soak-client-" + c).start(() -> {
        try {
          while (running.get()) {
            step(cache, client, rnd);
          }
        } catch (RuntimeException e) {
          violations.add("client " + client + " failed: " + e);
          e.printStackTrace(); // where it failed, for the report
        } finally {
          stopped.countDown();
        }
      });
    }
    AtomicLong scans = new AtomicLong();
    Thread.ofPlatform().name("soak-scanner").start(() -> {
      try {
        while (running.get()) {
          checkScan(cache.scan().collectList().block(DEADLINE));
          scans.incrementAndGet();
        }
      } catch (RuntimeException e) {
        violations.add("scanner failed: " + e);
      } finally {
        stopped.countDown();
      }
    });

    SplittableRandom plan = new SplittableRandom(seed);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long rehashes = 0;
    long moved = 0;
    int base = cache.baseShards();
    while (System.nanoTime() < end && violations.isEmpty()) {
      long r = round.get();
      int target = base + plan.nextInt(maxShards - base + 1);
      if (wall != null) {
        wall.step((r % 2 == 0 ? 1 : -1) * clockStep.toMillis());
      }
      long t = System.nanoTime();
      if (driver == Driver.poll) {
        resizeByPolling(cache, target);
      } else {
        resize(cache, target);
      }
      long rehashNanos = System.nanoTime() - t;
      rehashes++;
      long opsTarget = opsDone.get() + opsPerRound;
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (opsDone.get() < opsTarget && violations.isEmpty()) {
        if (System.nanoTime() > deadline) {
          violations.add("clients made no progress in round " + r);
        }
        Thread.onSpinWait();
      }
      // Next round: fresh hot keys. Operations of round r still running finish into its
      // histories, so check them once no client is inside one; then drop its keys.
      histories.put(r + 1, newRoundHistories());
      round.set(r + 1);
      awaitRoundIdle(r);
      moved = checkRound(r, moved);
      removeHotKeys(cache, r);
      CacheStats s = cache.stats().block(DEADLINE);
      System.out.printf(Locale.ROOT, "[soak] %6.1f s  round %5d  shards %2d  rehash %6.1f ms  "
              + "ops %,11d  scans %,6d  entries %,8d  evictions %d  refused %d  violations %d%n",
          (System.nanoTime() - start) / 1e9, r, cache.shards(), rehashNanos / 1e6,
          opsDone.get(), scans.get(), s.entries(), s.evictions(), refusedResizes.get(),
          violations.size());
    }
    running.set(false);
    if (!stopped.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
      violations.add("clients or scanner did not stop");
    }
    checkRound(round.get(), moved);
    removeHotKeys(cache, round.get());
    scaler.dispose();
    awaitNoRehash(cache);
    resize(cache, base);
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (engine.pool().freeBytes() != freeAtStart && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    CacheStats s = cache.stats().block(DEADLINE);
    if (s.evictions() != 0) {
      violations.add(s.evictions() + " entries evicted: the pool was sized so that none is");
    }
    if (engine.pool().freeBytes() != freeAtStart || engine.pool().activeLeases() != leasesAtStart) {
      violations.add("back at base, the pool has " + engine.pool().freeBytes() + " bytes free and "
          + engine.pool().activeLeases() + " leases; at the start " + freeAtStart + " and "
          + leasesAtStart);
    }
    long losses = engine.meterRegistry().find("tidecache.lease.losses").functionCounters()
        .stream().mapToLong(c -> (long) c.count()).sum();
    if (losses != 0) {
      violations.add(losses + " leases lost");
    }
    System.out.printf(Locale.ROOT, "%nsoak: %.1f s, %d rounds (%d rehashes), %,d operations, "
            + "%,d scans, %d refused resizes, %d lease losses, %d violations%n",
        (System.nanoTime() - start) / 1e9, round.get(), rehashes, opsDone.get(), scans.get(),
        refusedResizes.get(), losses, violations.size());
    violations.stream().limit(20).forEach(v -> System.out.println("  " + v));
    return violations.isEmpty() ? 0 : 1;
  }

  private List<List<Op>> newRoundHistories() {
    List<List<Op>> perClient = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      perClient.add(Collections.synchronizedList(new ArrayList<>()));
    }
    return perClient;
  }

  private void awaitRoundIdle(long r) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    for (int c = 0; c < clients; c++) {
      while (busyIn.get(c) == r) {
        if (System.nanoTime() > deadline) {
          violations.add("client " + c + " stuck in an operation of round " + r);
          return;
        }
        Thread.onSpinWait();
      }
    }
  }

  private void removeHotKeys(ElasticCache cache, long r) {
    Flux.range(0, hotKeys).flatMap(k -> cache.remove(key("h-" + r + "-" + k))).blockLast(DEADLINE);
  }

  /** Adds or removes shards to reach {@code target} and rehashes there. */
  private void resize(ElasticCache cache, int target) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (cache.shards() != target || cache.rehashing()) {
      awaitNoRehash(cache);
      try {
        int now = cache.shards();
        for (int i = now; i < target; i++) {
          cache.addShard().block(DEADLINE);
        }
        for (int i = now; i > target; i--) {
          cache.removeShard().block(DEADLINE);
        }
        cache.rehash().blockLast(DEADLINE);
      } catch (InvalidRequest | PoolExhausted refused) {
        if (!autoscaler) {
          throw refused;
        }
        refusedResizes.incrementAndGet(); // the autoscaler's change came first
        if (System.nanoTime() > giveUp) {
          return;
        }
      }
    }
  }

  /**
   * Adds or removes shards to reach {@code target} without ever waiting for a rehash's Flux: the
   * next change starts the moment {@code rehashing()} reads false (the pattern that found issue
   * 16's bug 1). An autoscaler may be resizing too: a refused call is counted and retried, and
   * the round moves on after a few seconds if the two keep undoing each other.
   */
  private void resizeByPolling(ElasticCache cache, int target) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(autoscaler ? 3 : 60);
    while ((cache.shards() != target || cache.rehashing()) && System.nanoTime() < giveUp) {
      if (cache.rehashing()) {
        cache.signals().block(DEADLINE); // a poller looks at the signals meanwhile
        continue;
      }
      try {
        int now = cache.shards();
        for (int i = now; i < target; i++) {
          cache.addShard().block(DEADLINE);
        }
        for (int i = now; i > target; i--) {
          cache.removeShard().block(DEADLINE);
        }
        cache.rehash().subscribe(p -> { }, e -> {
          if (e instanceof InvalidRequest) {
            refusedResizes.incrementAndGet();
          } else {
            violations.add("a rehash failed: " + e);
          }
        });
      } catch (InvalidRequest | PoolExhausted refused) {
        // another driver's change came first (or its pending shards hold the pool for now)
        refusedResizes.incrementAndGet();
      }
    }
    if (!autoscaler && cache.shards() != target) {
      violations.add("polling resize to " + target + " shards did not get there");
    }
  }

  private static void awaitNoRehash(ElasticCache cache) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (cache.rehashing() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  /** Checks and drops the histories of round {@code r}; returns the running op count. */
  private long checkRound(long r, long checked) {
    List<List<Op>> perClient = histories.remove(r);
    if (perClient == null) {
      return checked;
    }
    Map<Integer, List<Op>> byKey = new HashMap<>();
    long n = 0;
    for (List<Op> h : perClient) {
      synchronized (h) {
        for (Op op : h) {
          byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
          n++;
        }
      }
    }
    byKey.values().forEach(ops -> RegisterHistory.check(ops, violations));
    return checked + n;
  }

  private void checkScan(List<CacheEntry<byte[], byte[]>> scanned) {
    Map<String, Integer> seen = new HashMap<>();
    for (CacheEntry<byte[], byte[]> e : scanned) {
      seen.merge(new String(e.key(), StandardCharsets.US_ASCII), 1, Integer::sum);
    }
    for (int k = 0; k < stableKeys; k++) {
      Integer c = seen.get("s-" + k);
      if (c == null || c != 1) {
        violations.add("a scan saw stable key s-" + k + " " + (c == null ? 0 : c) + " times");
        return;
      }
    }
    seen.forEach((k, c) -> {
      if (c > 1) {
        violations.add("a scan saw key " + k + " " + c + " times");
      }
    });
  }

  private void step(ElasticCache cache, int client, SplittableRandom rnd) {
    int dice = rnd.nextInt(100);
    if (dice >= 15 && historyFull(client)) {
      dice = rnd.nextInt(15); // this round's history is full: a stable or a removed key instead
    }
    if (dice < 10) {
      int k = rnd.nextInt(stableKeys);
      long v = decode(cache.get(key("s-" + k)).block(DEADLINE));
      if (v != k) {
        violations.add("stable key s-" + k + " read as " + v + " (false miss or wrong value)");
      }
      opsDone.incrementAndGet();
      return;
    }
    if (dice < 15) {
      int k = rnd.nextInt(Math.max(1, stableKeys / 10));
      long begun = System.nanoTime();
      long v = decode(cache.get(key("d-" + k)).block(DEADLINE));
      if (begun > doomedAt && v != RegisterHistory.ABSENT) {
        violations.add("removed key d-" + k + " came back with " + v);
      }
      opsDone.incrementAndGet();
      return;
    }
    busyIn.set(client, round.get());
    try {
      hotStep(cache, client, rnd, dice, busyIn.get(client));
    } finally {
      busyIn.set(client, -1);
    }
  }

  /**
   * True once this client has recorded {@link #HISTORY_CAP_ROUNDS} × {@code --ops-per-round}
   * operations of the current round's hot keys. The checker's cost grows with the square of a
   * key's operations, and clients keep going while the main thread checks the previous round: a
   * slow check let the next round collect more operations, whose check was slower still. A run
   * started right after a build went 6k, 26k, 107k, 252k and 3.1M operations a round and stalled
   * in round 5; with the cap a round's check is bounded whatever the last one cost.
   */
  private boolean historyFull(int client) {
    List<List<Op>> perClient = histories.get(round.get());
    return perClient != null
        && perClient.get(client).size() >= (long) HISTORY_CAP_ROUNDS * opsPerRound;
  }

  private void hotStep(ElasticCache cache, int client, SplittableRandom rnd, int dice, long r) {
    List<List<Op>> perClient = histories.get(r);
    if (perClient == null) {
      return; // the round closed between the two reads: the next step takes the new one
    }
    int k = rnd.nextInt(hotKeys);
    byte[] hot = key("h-" + r + "-" + k);
    long[] response = new long[1];
    long invoke = System.nanoTime();
    Op op;
    if (dice < 55) {
      byte[] got = cache.get(hot).doOnTerminate(() -> response[0] = System.nanoTime())
          .block(DEADLINE);
      op = new Op(k, Kind.GET, decode(got), invoke, stamp(response));
    } else if (dice < 88) {
      long v = unique.getAndIncrement();
      cache.put(hot, bytes(v)).doOnTerminate(() -> response[0] = System.nanoTime())
          .block(DEADLINE);
      op = new Op(k, Kind.PUT, v, invoke, stamp(response));
    } else {
      cache.remove(hot).doOnTerminate(() -> response[0] = System.nanoTime()).block(DEADLINE);
      op = new Op(k, Kind.REMOVE, RegisterHistory.ABSENT, invoke, stamp(response));
    }
    perClient.get(client).add(op);
    opsDone.incrementAndGet();
  }

  /** A result delivered on this thread before doOnTerminate ran keeps the time of now. */
  private static long stamp(long[] response) {
    return response[0] != 0 ? response[0] : System.nanoTime();
  }
}
