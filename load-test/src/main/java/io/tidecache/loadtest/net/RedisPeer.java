package io.tidecache.loadtest.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Not thread-safe (driven by the command's thread): redis-server as a child process on
 * 127.0.0.1 and a free port, preloaded over one pipelined connection, measured with
 * redis-benchmark; stopped by its pid ({@link #close()}).
 */
final class RedisPeer implements AutoCloseable {
  private final String serverBinary;
  private final String benchmarkBinary;
  private final int port;
  private final Child server;

  /** One redis-benchmark run of one test. */
  record Run(String test, int pipeline, long requests, double rps, Double p50Micros,
      Double p99Micros, long cpuTicks, double elapsedSeconds, String csv) {}

  private RedisPeer(String serverBinary, String benchmarkBinary, int port, Child server) {
    this.serverBinary = serverBinary;
    this.benchmarkBinary = benchmarkBinary;
    this.port = port;
    this.server = server;
  }

  /** Starts redis-server and waits until it answers PING. */
  static RedisPeer start(String serverBinary, String benchmarkBinary, String maxMemory)
      throws IOException, InterruptedException {
    int port = NetworkBenchmark.freeLoopbackPort();
    Child c = Child.start("redis-server", List.of(serverBinary, "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory", maxMemory,
        "--loglevel", "warning"), false);
    RedisPeer peer = new RedisPeer(serverBinary, benchmarkBinary, port, c);
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (true) {
        try {
          if (peer.command("PING").equals("+PONG")) {
            return peer;
          }
        } catch (IOException e) {
          // not listening yet
        }
        if (!c.alive()) {
          throw new IllegalStateException("redis-server (pid " + c.pid() + ") exited; see its "
              + "output above");
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("redis-server did not answer PING on port " + port);
        }
        Thread.sleep(50);
      }
    } catch (RuntimeException | InterruptedException e) {
      c.close();
      throw e;
    }
  }

  int port() { return port; }

  long pid() { return server.pid(); }

  /** The server's version line ({@code redis-server --version}). */
  String version() {
    try {
      Process p = new ProcessBuilder(serverBinary, "--version").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return v;
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /**
   * Stores {@code keys} keys of redis-benchmark's random-key form {@code key:<12 digits>} (16
   * bytes) for every index in {@code [0, keys)}, with 64-byte values, over one pipelined
   * connection; returns DBSIZE afterwards.
   */
  long preload(int keys, int valueBytes) throws IOException, InterruptedException {
    byte[] value = "x".repeat(valueBytes).getBytes(StandardCharsets.US_ASCII);
    try (Socket s = connect()) {
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
      InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < keys; i++) {
            byte[] key = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
            out.write(("*3\r\n$3\r\nSET\r\n$" + key.length + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.write(key);
            out.write(("\r\n$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(value);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
          out.flush();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      for (int i = 0; i < keys; i++) {
        String reply = readLine(in);
        if (!reply.equals("+OK")) {
          throw new IOException("SET #" + i + " answered " + reply);
        }
      }
      writer.join();
    }
    String size = command("DBSIZE");
    return Long.parseLong(size.substring(1));
  }

  /**
   * One redis-benchmark run of one test ({@code get} or {@code set}) with 50 clients, and the
   * server's CPU ticks over it.
   */
  Run benchmark(String test, long requests, int clients, int keySpace, int valueBytes,
      int pipeline, Duration timeout) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(benchmarkBinary, "-h", "127.0.0.1", "-p",
        Integer.toString(port), "-t", test, "-n", Long.toString(requests), "-r",
        Integer.toString(keySpace), "-d", Integer.toString(valueBytes), "-c",
        Integer.toString(clients), "--csv"));
    if (pipeline > 1) {
      cmd.add("-P");
      cmd.add(Integer.toString(pipeline));
    }
    System.out.println("  $ " + String.join(" ", cmd));
    long cpu0 = ProcCpu.ticks(server.pid());
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(
        new java.io.File("/dev/null"))).start();
    CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(
        p.getInputStream()));
    CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(
        p.getErrorStream()));
    boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!done) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      throw new IllegalStateException("redis-benchmark (pid " + p.pid() + ") ran longer than "
          + timeout + "; stopped it. Lower --redis-requests?");
    }
    long t1 = System.nanoTime();
    long cpu1 = ProcCpu.ticks(server.pid());
    String csv = stdout.join();
    if (p.exitValue() != 0) {
      throw new IllegalStateException("redis-benchmark exited with " + p.exitValue() + ": "
          + csv + stderr.join());
    }
    return parse(test, pipeline, requests, csv, cpu1 - cpu0, (t1 - t0) / 1e9);
  }

  /**
   * Parses redis-benchmark's CSV: a header line naming the columns ({@code "test","rps",...},
   * with {@code p50_latency_ms} and {@code p99_latency_ms} in redis 7), then one line per test.
   */
  static Run parse(String test, int pipeline, long requests, String csv, long cpuTicks,
      double elapsed) {
    List<List<String>> rows = new ArrayList<>();
    for (String line : csv.split("\\R")) {
      if (line.startsWith("\"")) {
        List<String> cells = new ArrayList<>();
        for (String cell : line.split(",")) {
          cells.add(cell.replace("\"", "").trim());
        }
        rows.add(cells);
      }
    }
    List<String> header = null;
    List<String> data = null;
    for (List<String> r : rows) {
      if (r.get(0).equals("test")) {
        header = r;
      } else if (r.get(0).equalsIgnoreCase(test)) {
        data = r;
      }
    }
    if (data == null) {
      throw new IllegalStateException("no " + test.toUpperCase() + " line in redis-benchmark "
          + "output:\n" + csv);
    }
    Map<String, String> byName = new HashMap<>();
    if (header != null) {
      for (int i = 0; i < header.size() && i < data.size(); i++) {
        byName.put(header.get(i), data.get(i));
      }
    } else {
      byName.put("rps", data.get(1)); // old redis-benchmark: "TEST","rps" without a header
    }
    double rps = Double.parseDouble(byName.get("rps"));
    return new Run(test.toUpperCase(), pipeline, requests, rps, micros(byName.get("p50_latency_ms")),
        micros(byName.get("p99_latency_ms")), cpuTicks, elapsed, csv.trim());
  }

  private static Double micros(String ms) {
    return ms == null ? null : Double.parseDouble(ms) * 1000.0;
  }

  /** Sends one inline command and returns the first line of the reply. */
  private String command(String cmd) throws IOException {
    try (Socket s = connect()) {
      s.getOutputStream().write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      return readLine(new BufferedInputStream(s.getInputStream()));
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
    s.setSoTimeout(60_000);
    return s;
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = b.length();
        return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
      }
      b.append((char) c);
    }
    throw new IOException("connection closed by redis-server");
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Stops redis-server by its pid (SIGTERM, then SIGKILL). */
  @Override
  public void close() {
    server.close();
  }
}
