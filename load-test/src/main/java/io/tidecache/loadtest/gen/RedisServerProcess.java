package io.tidecache.loadtest.gen;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe: a redis-server child process on 127.0.0.1 and a free port, with persistence off
 * ({@code --save ''}, no AOF) and a memory limit; its output goes to a log file. Stopped by its
 * pid ({@link #close()}), also from a shutdown hook should this JVM exit first.
 */
final class RedisServerProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Thread hook;

  private RedisServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
    this.hook = new Thread(this::stop, "redis-server-stop-" + process.pid());
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts {@code binary} and waits (at most 30 s) until it answers PING.
   *
   * @param maxMemory redis's {@code --maxmemory}, e.g. {@code 2gb}
   * @param policy redis's {@code --maxmemory-policy}, e.g. {@code allkeys-lru}
   * @param log where its output goes
   */
  static RedisServerProcess start(String binary, String maxMemory, String policy, Path log)
      throws IOException, InterruptedException {
    int port = freeLoopbackPort();
    Process p = new ProcessBuilder(List.of(binary, "--port", Integer.toString(port), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory", maxMemory,
        "--maxmemory-policy", policy, "--loglevel", "warning"))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    RedisServerProcess r = new RedisServerProcess(p, port);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      if (!p.isAlive()) {
        r.close();
        throw new IOException("redis-server exited with " + p.exitValue() + "; see " + log);
      }
      try {
        if ("+PONG".equals(r.ping())) {
          return r;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        r.close();
        throw new IOException("redis-server did not answer PING on port " + port + " in 30 s");
      }
      Thread.sleep(50);
    }
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** The first reply line to an inline PING. */
  private String ping() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      s.setSoTimeout(2000);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = new BufferedInputStream(s.getInputStream());
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }
  }

  static int freeLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void stop() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Stops redis-server (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs or ran
    }
  }
}
