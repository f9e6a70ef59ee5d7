package io.tidecache.loadtest.net;

import io.tidecache.loadtest.cli.DurationOption;
import io.netty.buffer.ByteBufUtil;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.DefaultPayload;
import io.tidecache.transport.rsocket.RSocketCacheServer;
import io.tidecache.transport.rsocket.WireFormat;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import io.tidecache.loadtest.report.MachineNoise;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.netty.tcp.TcpClient;

/**
 * The network benchmark (issue 4, part 9): tidecache over RSocket next to an RSocket echo server
 * and redis, in one run, on loopback.
 *
 * <ol>
 *   <li>Starts two child JVMs (this JVM's {@code java}, the same class path, FFM and Unsafe
 *       flags): {@link TideServerMain} (embedded engine, one cache of 16-byte keys and 64-byte
 *       values preloaded with {@code --keys} entries, served by {@code RSocketCacheServer} over
 *       TCP) and {@link EchoServerMain} (the same RSocket TCP server settings, answering each
 *       request with its data: the floor of RSocket without the cache).
 *   <li>For each of them, over one RSocket connection (rsocket-java, TCP, composite metadata
 *       with a routing entry): GET ({@code cache.get.bench}, data = the key) and SET
 *       ({@code cache.put.bench}, data = the put layout) in a closed loop of exactly 1, 50, 256
 *       requests in flight, keys uniform over the preloaded ones; each phase is a warmup, then a
 *       measured window; the phases alternate between the two servers (tidecache GET 1, echo
 *       GET 1, tidecache GET 50, ...). Latency goes to an HdrHistogram; the server child's CPU time
 *       ({@code /proc/<pid>/stat} utime + stime) is read at the start and end of the measured
 *       window and divided by the operations completed in it.
 *   <li>Starts redis-server (loopback, free port, no persistence, maxmemory), preloads the same
 *       number of 16-byte keys with 64-byte values, and runs redis-benchmark for GET and for SET,
 *       50 connections, without pipelining and with {@code -P 16}; reads rps and p50/p99 from its
 *       CSV and redis-server's CPU per operation from {@code /proc}.
 *   <li>Prints one markdown table, the ratios, and whether the targets are met.
 * </ol>
 *
 * Every child process is stopped by its pid at the end, on failure, and from a shutdown hook.
 */
@Command(name = "network-benchmark", mixinStandardHelpOptions = true,
    description = "tidecache over RSocket vs an RSocket echo server vs redis-server, on loopback.")
public final class NetworkBenchmark implements Callable<Integer> {
  static final String[] CHILD_JVM_FLAGS = {"--enable-native-access=ALL-UNNAMED",
      "--sun-misc-unsafe-memory-access=allow"};

  @Option(names = "--keys", defaultValue = "100000",
      description = "Keys preloaded and drawn from (default ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--in-flight", split = ",", defaultValue = "1,50,256",
      description = "Requests in flight per phase, comma-separated (default ${DEFAULT-VALUE}); "
          + "the targets are judged at 50.")
  int[] inFlight;

  @Option(names = "--warmup", defaultValue = "5s", converter = DurationOption.class,
      description = "Warmup of each phase, e.g. 5s, 500ms (default ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--measure", defaultValue = "10s", converter = DurationOption.class,
      description = "Measured window of each phase (default ${DEFAULT-VALUE}).")
  Duration measure;

  @Option(names = "--engine-threads", defaultValue = "0",
      description = "tidecache engine threads (0: the engine's default, the available "
          + "processors).")
  int engineThreads;

  @Option(names = "--shards", defaultValue = "1", description = "tidecache base shards.")
  int shards;

  @Option(names = "--headroom", defaultValue = "2.0",
      description = "tidecache capacity as a multiple of --keys, so few buckets overflow "
          + "(default ${DEFAULT-VALUE}).")
  double headroom;

  @Option(names = "--server-heap", defaultValue = "512m",
      description = "-Xmx of each server child JVM (default ${DEFAULT-VALUE}).")
  String serverHeap;

  @Option(names = "--server-jvm-arg",
      description = "More flags for both server child JVMs (repeatable).")
  List<String> serverJvmArgs = new ArrayList<>();

  @Option(names = "--java", description = "java of the server children (default: the java "
      + "running this command, ${sys:java.home}/bin/java).")
  Path java;

  @Option(names = "--skip-redis", description = "Do not run redis-server / redis-benchmark.")
  boolean skipRedis;

  @Option(names = "--redis-server", defaultValue = "redis-server",
      description = "redis-server binary (default ${DEFAULT-VALUE}, from PATH).")
  String redisServer;

  @Option(names = "--redis-benchmark", defaultValue = "redis-benchmark",
      description = "redis-benchmark binary (default ${DEFAULT-VALUE}, from PATH).")
  String redisBenchmark;

  @Option(names = "--redis-requests", defaultValue = "1000000",
      description = "redis-benchmark -n of each unpipelined run (default ${DEFAULT-VALUE}).")
  long redisRequests;

  @Option(names = "--redis-pipelined-requests", defaultValue = "5000000",
      description = "redis-benchmark -n of each -P run (default ${DEFAULT-VALUE}).")
  long redisPipelinedRequests;

  @Option(names = "--redis-clients", defaultValue = "50",
      description = "redis-benchmark -c (default ${DEFAULT-VALUE}).")
  int redisClients;

  @Option(names = "--redis-pipeline", defaultValue = "16",
      description = "redis-benchmark -P of the pipelined runs (default ${DEFAULT-VALUE}).")
  int redisPipeline;

  @Option(names = "--redis-maxmemory", defaultValue = "256mb",
      description = "redis-server --maxmemory (default ${DEFAULT-VALUE}).")
  String redisMaxMemory;

  @Option(names = "--redis-timeout", defaultValue = "300s", converter = DurationOption.class,
      description = "Longest a redis-benchmark run may take before it is stopped "
          + "(default ${DEFAULT-VALUE}).")
  Duration redisTimeout;

  /** One measured phase of the RSocket client. */
  record Phase(String target, String op, int inFlight, long ops, double seconds, double p50Micros,
      double p99Micros, long serverTicks, long clientTicks, long errors,
      Map<String, Long> errorKinds, long values, long empties, boolean drained) {
    double opsPerSecond() { return ops / seconds; }
  }

  public static void main(String[] args) {
    int code = new CommandLine(new NetworkBenchmark()).execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    if (keys < 1 || Arrays.stream(inFlight).anyMatch(n -> n < 1) || warmup.isNegative()
        || measure.isZero() || measure.isNegative() || shards < 1 || headroom < 1.0) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--keys, --in-flight and "
          + "--shards must be at least 1, --measure positive, --headroom at least 1.0");
    }
    Thread hook = new Thread(() -> {
      for (Child c : List.copyOf(Child.LIVE)) {
        c.close();
      }
    }, "netbench-stop-children");
    Runtime.getRuntime().addShutdownHook(hook);

    long tick = ProcCpu.ticksPerSecond();
    String loadBefore = ProcCpu.loadAverage();
    MachineNoise noise = MachineNoise.start();
    Instant began = Instant.now();
    System.out.printf(Locale.ROOT, "# tidecache network benchmark%n%n");
    System.out.printf(Locale.ROOT, "started %s; %d processors; java %s (%s); CLK_TCK %d%s; "
        + "load average %s%n", began, Runtime.getRuntime().availableProcessors(),
        Runtime.version(), System.getProperty("java.home"), tick,
        ProcCpu.clockTickMeasured() ? "" : " (assumed: getconf failed)", loadBefore);
    System.out.printf(Locale.ROOT, "keys %d (16-byte keys, 64-byte values), in flight %s, "
        + "warmup %s + measured %s per phase%n%n", keys, Arrays.toString(inFlight),
        human(warmup), human(measure));

    List<Phase> phases = new ArrayList<>();
    List<RedisPeer.Run> redisRuns = new ArrayList<>();
    String tideInfo;
    String redisInfo;
    String redisError = null;
    String[] redisInfoOut = new String[1];

    byte[][] getData = new byte[keys][];
    byte[][] putData = new byte[keys][];
    for (int i = 0; i < keys; i++) {
      getData[i] = NetKeys.key(i);
      putData[i] = NetKeys.put(getData[i], NetKeys.TTL_DEFAULT, NetKeys.value(i));
    }
    byte[] getRoute = NetKeys.compositeRoute(NetKeys.GET_ROUTE);
    byte[] putRoute = NetKeys.compositeRoute(NetKeys.PUT_ROUTE);
    IntFunction<Payload> get = k -> DefaultPayload.create(getData[k], getRoute);
    IntFunction<Payload> put = k -> DefaultPayload.create(putData[k], putRoute);

    try {
      // ---------------------------------------------------------------- RSocket servers
      try (Child tide = startServer("tidecache-server", TideServerMain.class, List.of(
              Integer.toString(keys), Integer.toString(engineThreads), Integer.toString(shards),
              Double.toString(headroom)));
          Child echo = startServer("echo-server", EchoServerMain.class, List.of())) {
        int tidePort = Integer.parseInt(tide.await("PORT", Duration.ofMinutes(5)).trim());
        tideInfo = tide.await("READY", Duration.ofMinutes(1));
        int echoPort = Integer.parseInt(echo.await("PORT", Duration.ofMinutes(2)).trim());
        echo.await("READY", Duration.ofMinutes(1));
        System.out.printf(Locale.ROOT, "tidecache server: pid %d, 127.0.0.1:%d, %s%n",
            tide.pid(), tidePort, tideInfo);
        System.out.printf(Locale.ROOT, "echo server:      pid %d, 127.0.0.1:%d%n%n", echo.pid(),
            echoPort);

        RSocket tideConn = connect(tidePort);
        RSocket echoConn = connect(echoPort);
        try {
          sanityCheck(tideConn, echoConn, get);
          // interleaved (tidecache, then echo, for each op and load) so that drift in the
          // machine's other load touches both sides of each ratio alike
          for (String op : List.of("GET", "SET")) {
            for (int n : inFlight) {
              phases.add(runPhase("tidecache", op, n, tideConn, op.equals("GET") ? get : put,
                  tide));
              phases.add(runPhase("echo", op, n, echoConn, op.equals("GET") ? get : put, echo));
            }
          }
          phases.sort(Comparator.comparing((Phase p) -> !p.target().equals("tidecache"))
              .thenComparing(Phase::op).thenComparingInt(Phase::inFlight));
        } finally {
          tideConn.dispose();
          echoConn.dispose();
        }
      }

      // ---------------------------------------------------------------- redis
      if (!skipRedis) {
        try {
          runRedis(redisRuns, redisInfoOut);
        } catch (IOException | RuntimeException e) {
          redisError = e.toString();
          System.err.println("redis part failed (the RSocket results are still reported): " + e);
        }
      }
    } finally {
      for (Child c : List.copyOf(Child.LIVE)) {
        c.close();
      }
    }
    redisInfo = redisInfoOut[0];

    report(phases, redisRuns, tideInfo, redisInfo, redisError, loadBefore, began, noise);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down already
    }
    return redisError == null ? 0 : 2;
  }

  /** redis-server: start, preload, then GET and SET, unpipelined and pipelined; stopped after. */
  private void runRedis(List<RedisPeer.Run> redisRuns, String[] info)
      throws IOException, InterruptedException {
    try (RedisPeer redis = RedisPeer.start(redisServer, redisBenchmark, redisMaxMemory)) {
      long size = redis.preload(keys, NetKeys.VALUE_BYTES);
      info[0] = redis.version() + "; pid " + redis.pid() + ", 127.0.0.1:" + redis.port()
          + ", DBSIZE after preload " + size;
      System.out.println("redis-server: " + info[0]);
      for (int pipeline : new int[] {1, redisPipeline}) {
        for (String test : List.of("get", "set")) {
          long n = pipeline == 1 ? redisRequests : redisPipelinedRequests;
          RedisPeer.Run r = redis.benchmark(test, n, redisClients, keys, NetKeys.VALUE_BYTES,
              pipeline, redisTimeout);
          System.out.printf(Locale.ROOT, "  -> %s P%d: %.0f rps, p50 %s us, p99 %s us, "
              + "server CPU %d ticks over %.2f s%n", r.test(), r.pipeline(), r.rps(),
              fmt1(r.p50Micros()), fmt1(r.p99Micros()), r.cpuTicks(), r.elapsedSeconds());
          redisRuns.add(r);
        }
      }
    }
  }

  // ------------------------------------------------------------------ RSocket side

  private Child startServer(String name, Class<?> main, List<String> args) throws IOException {
    Path javaBin = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin.toString());
    cmd.addAll(List.of(CHILD_JVM_FLAGS));
    cmd.add("-Xmx" + serverHeap);
    cmd.addAll(serverJvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(args);
    Child c = Child.start(name, cmd, true);
    System.out.println("started " + name + " pid " + c.pid() + ": " + javaBin + " "
        + String.join(" ", CHILD_JVM_FLAGS) + " -Xmx" + serverHeap
        + (serverJvmArgs.isEmpty() ? "" : " " + String.join(" ", serverJvmArgs))
        + " -cp <this class path> " + main.getName() + " " + String.join(" ", args));
    return c;
  }

  private static RSocket connect(int port) {
    TcpClient tcp = TcpClient.create().host("127.0.0.1").port(port);
    return RSocketConnector.create()
        .metadataMimeType(WireFormat.COMPOSITE_METADATA)
        .dataMimeType(WireFormat.OCTET_STREAM)
        .payloadDecoder(PayloadDecoder.ZERO_COPY)
        .connect(TcpClientTransport.create(tcp, RSocketCacheServer.DEFAULT_MAX_FRAME))
        .block(Duration.ofSeconds(10));
  }

  /** Checks a few answers before measuring: tidecache values are the preloaded ones, echo echoes. */
  private void sanityCheck(RSocket tide, RSocket echo, IntFunction<Payload> get) {
    int probe = Math.min(keys, 1000);
    int hits = 0;
    for (int i = 0; i < probe; i++) {
      Payload p = tide.requestResponse(get.apply(i)).block(Duration.ofSeconds(5));
      if (p != null) {
        byte[] v = ByteBufUtil.getBytes(p.data());
        p.release();
        if (!Arrays.equals(v, NetKeys.value(i))) {
          throw new IllegalStateException("tidecache answered a wrong value for key " + i);
        }
        hits++;
      }
    }
    Payload e = echo.requestResponse(get.apply(7)).block(Duration.ofSeconds(5));
    byte[] echoed = ByteBufUtil.getBytes(e.data());
    e.release();
    if (!Arrays.equals(echoed, NetKeys.key(7))) {
      throw new IllegalStateException("the echo server did not echo the request data");
    }
    System.out.printf(Locale.ROOT, "sanity: tidecache GET of keys 0..%d: %d hits, values as "
        + "preloaded; echo answers the request data%n%n", probe - 1, hits);
  }

  private Phase runPhase(String target, String op, int n, RSocket conn,
      IntFunction<Payload> request, Child server) throws InterruptedException {
    ClosedLoop loop = new ClosedLoop(conn, request, keys, n);
    long self = ProcessHandle.current().pid();
    loop.start();
    Thread.sleep(warmup.toMillis());
    loop.latency().getIntervalHistogram(); // drop the warmup's latencies
    long s0 = ProcCpu.ticks(server.pid());
    long c0 = ProcCpu.ticks(self);
    long t0 = System.nanoTime();
    long e0 = loop.errors();
    Thread.sleep(measure.toMillis());
    Histogram h = loop.latency().getIntervalHistogram();
    long t1 = System.nanoTime();
    long s1 = ProcCpu.ticks(server.pid());
    long c1 = ProcCpu.ticks(self);
    long e1 = loop.errors();
    boolean drained = loop.stopAndDrain(10_000);
    Phase p = new Phase(target, op, n, h.getTotalCount(), (t1 - t0) / 1e9,
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, s1 - s0,
        c1 - c0, e1 - e0, loop.errorKinds(), loop.values(), loop.empties(), drained);
    System.out.printf(Locale.ROOT, "%-9s %s %3d in flight: %,10.0f ops/s  p50 %8.1f us  "
        + "p99 %8.1f us  server CPU %6.2f us/op  errors %d%s%s%n", target, op, n,
        p.opsPerSecond(), p.p50Micros(), p.p99Micros(), cpuMicrosPerOp(p.serverTicks(), p.ops()),
        p.errors(), hitNote(p), drained ? "" : "  (NOT DRAINED within 10 s)");
    if (!p.errorKinds().isEmpty()) {
      System.out.println("          errors (whole phase, warmup included): " + p.errorKinds());
    }
    return p;
  }

  private static String hitNote(Phase p) {
    if (!p.target().equals("tidecache") || !p.op().equals("GET")) {
      return "";
    }
    long all = p.values() + p.empties();
    return String.format(Locale.ROOT, "  hits %.2f%%", all == 0 ? 0.0 : 100.0 * p.values() / all);
  }

  // ------------------------------------------------------------------ report

  private void report(List<Phase> phases, List<RedisPeer.Run> redis, String tideInfo,
      String redisInfo, String redisError, String loadBefore, Instant began,
      MachineNoise noise) {
    System.out.println();
    System.out.println("## Results");
    System.out.println();
    System.out.println("| target | op | load | ops/s | p50 µs | p99 µs | server CPU µs/op | errors "
        + "| ops/s vs echo | CPU vs echo | ops/s vs redis (c50, no pipelining) |");
    System.out.println("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (Phase p : phases) {
      String vsEcho = "—";
      String cpuVsEcho = "—";
      String vsRedis = "—";
      if (p.target().equals("tidecache")) {
        Phase e = find(phases, "echo", p.op(), p.inFlight());
        if (e != null) {
          vsEcho = ratio(p.opsPerSecond(), e.opsPerSecond());
          cpuVsEcho = ratio(cpuMicrosPerOp(p.serverTicks(), p.ops()),
              cpuMicrosPerOp(e.serverTicks(), e.ops()));
        }
        RedisPeer.Run r = findRedis(redis, p.op(), 1);
        if (p.inFlight() == redisClients && r != null) {
          vsRedis = ratio(p.opsPerSecond(), r.rps());
        }
      }
      System.out.printf(Locale.ROOT, "| %s | %s | %d in flight, 1 conn | %s | %s | %s | %s | %d | "
          + "%s | %s | %s |%n", p.target(), p.target().equals("echo") ? p.op() + " (echo)" : p.op(),
          p.inFlight(), ops(p.opsPerSecond()), fmt1(p.p50Micros()), fmt1(p.p99Micros()),
          fmt2(cpuMicrosPerOp(p.serverTicks(), p.ops())), p.errors(), vsEcho, cpuVsEcho, vsRedis);
    }
    for (RedisPeer.Run r : redis) {
      double cpu = cpuMicrosPerOp(r.cpuTicks(), r.requests());
      System.out.printf(Locale.ROOT, "| redis | %s | %d conns, %s | %s | %s | %s | %s | — | — | — "
          + "| — |%n", r.test(), redisClients, r.pipeline() == 1 ? "no pipelining"
          : "-P " + r.pipeline(), ops(r.rps()), fmt1(r.p50Micros()), fmt1(r.p99Micros()),
          fmt2(cpu));
    }

    System.out.println();
    System.out.println("## Targets (at " + redisClients + " in flight)");
    System.out.println();
    Phase tGet = find(phases, "tidecache", "GET", redisClients);
    Phase eGet = find(phases, "echo", "GET", redisClients);
    RedisPeer.Run rGet = findRedis(redis, "GET", 1);
    if (tGet == null) {
      System.out.println("- not judged: no tidecache GET phase at " + redisClients
          + " in flight (see --in-flight)");
    } else {
      if (rGet != null) {
        double x = tGet.opsPerSecond() / rGet.rps();
        System.out.printf(Locale.ROOT, "- tidecache GET ≥ 2× redis-benchmark GET (%d connections, "
            + "no pipelining): %s vs %s ops/s = %.2f× → %s%n", redisClients,
            ops(tGet.opsPerSecond()), ops(rGet.rps()), x, x >= 2.0 ? "MET" : "NOT MET");
      } else {
        System.out.println("- tidecache GET ≥ 2× redis: not judged (redis was not run"
            + (redisError == null ? ")" : ": " + redisError + ")"));
      }
      if (eGet != null) {
        double x = tGet.opsPerSecond() / eGet.opsPerSecond();
        System.out.printf(Locale.ROOT, "- tidecache GET ≥ 0.85× the echo floor: %s vs %s ops/s = "
            + "%.2f× → %s%n", ops(tGet.opsPerSecond()), ops(eGet.opsPerSecond()), x,
            x >= 0.85 ? "MET" : "NOT MET");
        double tc = cpuMicrosPerOp(tGet.serverTicks(), tGet.ops());
        double ec = cpuMicrosPerOp(eGet.serverTicks(), eGet.ops());
        double y = tc / ec;
        System.out.printf(Locale.ROOT, "- tidecache server CPU per GET ≤ 1.3× the echo server's: "
            + "%.2f vs %.2f µs/op = %.2f× → %s%n", tc, ec, y, y <= 1.3 ? "MET" : "NOT MET");
      }
    }

    System.out.println();
    System.out.println("## Notes");
    System.out.println();
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "- This machine has %d processor%s: the load generator (this "
        + "JVM, or redis-benchmark) and the server under test share %s, so every figure includes "
        + "contention between client and server; client CPU per op is listed below.%n", cores,
        cores == 1 ? "" : "s", cores <= 2 ? "the same cores" : "the cores");
    System.out.printf(Locale.ROOT, "- Load average before: %s; after: %s (other work on the "
        + "machine makes the figures noisy).%n", loadBefore, ProcCpu.loadAverage());
    System.out.println("- RSocket rows: one TCP connection, a closed loop keeping exactly N "
        + "requests outstanding; latency is per request as the client sees it (HdrHistogram), "
        + "ops/s = requests completed in the measured window / its length. Keys uniform over "
        + "the preloaded ones. Phases ran one at a time, alternating tidecache and echo (GET "
        + "then SET, in the order of --in-flight).");
    System.out.printf(Locale.ROOT, "- Server CPU µs/op: utime+stime of the server process from "
        + "/proc/<pid>/stat over the measured window (or the redis-benchmark run), in clock ticks "
        + "of %d ms, / operations; it includes the JVM's GC and JIT threads.%n", 1000 / tick());
    System.out.println("- The echo server answers with the request's data: echo GET returns the "
        + "16-byte key (tidecache: the 64-byte value), echo SET returns the 90-byte put data "
        + "(tidecache: an empty COMPLETE).");
    System.out.println("- redis rows: redis-benchmark's own figures (its rps, and its p50/p99, "
        + "reported in ms with 3 decimals); one redis-benchmark run per test (GET, SET) so that "
        + "redis-server's CPU can be split by test; the CPU window includes the 50 connections' "
        + "setup. With -P the latency is per request as redis-benchmark counts it.");
    long refused = phases.stream().mapToLong(Phase::errors).sum();
    if (refused > 0) {
      System.out.println("- Some requests failed (errors column: in the measured window; their "
          + "kinds under Raw measurements). They are not counted in ops/s or latency; their "
          + "server CPU is in the numerator of CPU µs/op.");
    }
    System.out.println("- tidecache server: " + tideInfo);
    if (redisInfo != null) {
      System.out.println("- redis-server: " + redisInfo);
    }
    if (redisError != null) {
      System.out.println("- redis part FAILED: " + redisError + " (needs redis-server and "
          + "redis-benchmark on PATH, or --redis-server / --redis-benchmark; --skip-redis skips "
          + "it)");
    }
    System.out.println();
    System.out.println("### Raw measurements");
    System.out.println();
    for (Phase p : phases) {
      System.out.printf(Locale.ROOT, "- %s %s %d: %d ops in %.3f s; server %d ticks; client %d "
          + "ticks (%.2f µs/op); errors in window %d%s%s%n", p.target(), p.op(), p.inFlight(),
          p.ops(), p.seconds(), p.serverTicks(), p.clientTicks(),
          cpuMicrosPerOp(p.clientTicks(), p.ops()), p.errors(),
          p.errorKinds().isEmpty() ? "" : " " + p.errorKinds(), hitNote(p));
    }
    for (RedisPeer.Run r : redis) {
      System.out.printf(Locale.ROOT, "- redis %s P%d: %d requests, run took %.2f s, server %d "
          + "ticks; csv: %s%n", r.test(), r.pipeline(), r.requests(), r.elapsedSeconds(),
          r.cpuTicks(), r.csv().replace("\n", " | "));
    }
    System.out.printf(Locale.ROOT, "%nfinished %s (began %s)%n", Instant.now(), began);
    StringBuilder last = new StringBuilder("tidecache GET");
    if (tGet != null && rGet != null) {
      last.append(String.format(Locale.ROOT, " %.2fx redis-benchmark GET", tGet.opsPerSecond()
          / rGet.rps()));
    }
    if (tGet != null && eGet != null) {
      last.append(String.format(Locale.ROOT, ", %.2fx the echo floor", tGet.opsPerSecond()
          / eGet.opsPerSecond()));
    }
    System.out.println(last + "; " + noise.summary());
  }

  private static Phase find(List<Phase> phases, String target, String op, int n) {
    for (Phase p : phases) {
      if (p.target().equals(target) && p.op().equals(op) && p.inFlight() == n) {
        return p;
      }
    }
    return null;
  }

  private static RedisPeer.Run findRedis(List<RedisPeer.Run> runs, String test, int pipeline) {
    for (RedisPeer.Run r : runs) {
      if (r.test().equals(test) && r.pipeline() == pipeline) {
        return r;
      }
    }
    return null;
  }

  private static long tick() {
    return ProcCpu.ticksPerSecond();
  }

  static double cpuMicrosPerOp(long ticks, long ops) {
    return ops == 0 ? Double.NaN : ticks * 1e6 / ProcCpu.ticksPerSecond() / ops;
  }

  private static String ratio(double a, double b) {
    return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? "n/a"
        : String.format(Locale.ROOT, "%.2f×", a / b);
  }

  private static String ops(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String fmt1(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String fmt2(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }

  /** A free TCP port on the loopback address (closed again before use: a small race). */
  static int freeLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
