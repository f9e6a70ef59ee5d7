package io.tidecache.loadtest.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe (stateless but for the tick rate read once): the CPU time of a process, from
 * {@code /proc/<pid>/stat} (utime + stime, in clock ticks), Linux only.
 */
final class ProcCpu {
  private static volatile Long ticksPerSecond;
  private static volatile boolean measured;

  private ProcCpu() {}

  /** utime + stime of the process so far, in clock ticks (all its threads, not its children). */
  static long ticks(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
          StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/" + pid + "/stat (is process " + pid
          + " alive? Linux only)", e);
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields after the last ')'
    // start with field 3 (state); utime is field 14, stime field 15.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
    return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
  }

  /** Clock ticks per second ({@code getconf CLK_TCK}; 100 when that cannot be run). */
  static long ticksPerSecond() {
    Long t = ticksPerSecond;
    if (t == null) {
      t = readClockTick();
      ticksPerSecond = t;
    }
    return t;
  }

  /** Whether the tick rate came from getconf (false: the fallback of 100 is assumed). */
  static boolean clockTickMeasured() {
    ticksPerSecond();
    return measured;
  }

  private static long readClockTick() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        long v = Long.parseLong(out);
        if (v > 0) {
          measured = true;
          return v;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through to the usual Linux value
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }

  /** The load average line of {@code /proc/loadavg} (1, 5, 15 minutes), or "n/a". */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" +");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }
}
