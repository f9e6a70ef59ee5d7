package io.tidecache.loadtest.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe: one child process started by the benchmark (a server JVM of this package, or
 * redis-server), stopped by its own pid, never by name.
 *
 * <p>Its stdout and stderr (merged) are drained by a daemon thread: lines that start with
 * {@value #PROTOCOL} are the child's announcements (port, readiness) and are queued for
 * {@link #await}; every line is also copied to this process's stderr, prefixed by the child's
 * name, so warnings (a Netty {@code LEAK:} report, say) are seen. Every started child is
 * registered in {@link #LIVE} until it has exited, for the shutdown hook of the command.
 */
final class Child implements AutoCloseable {
  /** Prefix of the lines a server child of this package announces itself with. */
  static final String PROTOCOL = "NETBENCH ";
  /** Children started and not yet seen to exit. */
  static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();

  private final String name;
  private final Process process;
  private final boolean stopByStdin;
  private final BlockingQueue<String> announcements = new LinkedBlockingQueue<>();

  private Child(String name, Process process, boolean stopByStdin) {
    this.name = name;
    this.process = process;
    this.stopByStdin = stopByStdin;
  }

  /**
   * Starts {@code command}. A child with {@code stopByStdin} exits by itself when its stdin is
   * closed (the server mains of this package do; so they also end if this JVM dies).
   */
  static Child start(String name, List<String> command, boolean stopByStdin) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (!stopByStdin) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    Child c = new Child(name, pb.start(), stopByStdin);
    LIVE.add(c);
    c.process.onExit().thenRun(() -> LIVE.remove(c));
    Thread drain = new Thread(c::drain, "netbench-drain-" + name);
    drain.setDaemon(true);
    drain.start();
    return c;
  }

  String name() { return name; }

  long pid() { return process.pid(); }

  boolean alive() { return process.isAlive(); }

  private void drain() {
    PrintStream err = System.err;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(PROTOCOL)) {
          announcements.add(line.substring(PROTOCOL.length()));
        }
        err.println("[" + name + " pid " + process.pid() + "] " + line);
      }
    } catch (IOException e) {
      // the child is gone; await() notices
    }
  }

  /**
   * The next announcement that starts with {@code word} (the rest of its line), waiting up to
   * {@code timeout}.
   *
   * @throws IllegalStateException when the child exits first or the time is up
   */
  String await(String word, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String line = announcements.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        if (line.startsWith(word + " ") || line.equals(word)) {
          return line.substring(Math.min(line.length(), word.length() + 1));
        }
        continue;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " (pid " + pid() + ") exited with status "
            + process.exitValue() + " before announcing " + word + "; see its output above");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " (pid " + pid() + ") did not announce " + word
            + " within " + timeout);
      }
    }
  }

  /**
   * Stops the child: closes its stdin (server children exit on that), then SIGTERM to its pid,
   * then SIGKILL, waiting a few seconds between; returns once it has exited (or after the last
   * wait).
   */
  @Override
  public void close() {
    try {
      if (stopByStdin && process.isAlive()) {
        try {
          process.getOutputStream().close();
        } catch (IOException e) {
          // already closed
        }
        process.waitFor(5, TimeUnit.SECONDS);
      }
      if (process.isAlive()) {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      if (process.isAlive()) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
