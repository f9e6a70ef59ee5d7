package io.tidecache.loadtest.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Single-threaded: how busy the rest of the machine was while a benchmark ran, so that a noisy
 * run says so in its last line. Linux only ({@code /proc}); elsewhere it reports "n/a".
 *
 * <p>It reads the load average at the start and the end, and the CPU time the whole machine spent
 * ({@code /proc/stat}) against the CPU time of this process and its children
 * ({@code /proc/self/stat}: utime, stime, and the cutime and cstime of children already waited for,
 * such as JMH's forked JVMs, plus the live descendants' own time): the difference is what other
 * processes took, as a share of every core for the run's length.
 */
public final class MachineNoise {
  private final String loadBefore = loadAverage();
  private final long[] machineBefore = machineTicks();
  private final long oursBefore = ourTicks();

  /** Starts measuring now. */
  public static MachineNoise start() {
    return new MachineNoise();
  }

  /**
   * "load 1.20 -> 2.05 (1, 5, 15 min: ...), other processes used 12% of 2 cores": what the rest
   * of the machine did since {@link #start()}.
   */
  public String summary() {
    String loadAfter = loadAverage();
    long[] machineAfter = machineTicks();
    long oursAfter = ourTicks();
    int cores = Runtime.getRuntime().availableProcessors();
    String others = "n/a";
    if (machineBefore != null && machineAfter != null && oursBefore >= 0 && oursAfter >= 0) {
      long busy = machineAfter[0] - machineBefore[0];
      long total = machineAfter[1] - machineBefore[1];
      long ours = oursAfter - oursBefore;
      if (total > 0) {
        double share = Math.max(0, busy - ours) * 100.0 / total;
        others = String.format(Locale.ROOT, "%.0f%%", share);
      }
    }
    return "load average " + first(loadBefore) + " -> " + first(loadAfter) + " (now "
        + loadAfter + "); other processes used " + others + " of the " + cores + " cores "
        + "during the run" + (others.equals("n/a") ? "" : quiet(others));
  }

  private static String quiet(String share) {
    double v = Double.parseDouble(share.replace("%", ""));
    return v < 5 ? " (quiet)" : v < 25 ? " (some noise)" : " (NOISY: treat the figures with care)";
  }

  private static String first(String load) {
    int sp = load.indexOf(' ');
    return sp < 0 ? load : load.substring(0, sp);
  }

  /** The load average (1, 5, 15 minutes), or "n/a". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" +");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** {busy, total} clock ticks of every core since boot, or null. */
  private static long[] machineTicks() {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0);
      String[] f = line.trim().split(" +");
      long user = Long.parseLong(f[1]);
      long nice = Long.parseLong(f[2]);
      long system = Long.parseLong(f[3]);
      long idle = Long.parseLong(f[4]);
      long iowait = Long.parseLong(f[5]);
      long irq = Long.parseLong(f[6]);
      long softirq = Long.parseLong(f[7]);
      long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
      long busy = user + nice + system + irq + softirq + steal;
      return new long[] {busy, busy + idle + iowait};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** This process's CPU ticks with its children's (waited-for and live), or -1. */
  private static long ourTicks() {
    try {
      long self = ProcessHandle.current().pid();
      long sum = ticks(self, true);
      for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
        long t = ticks(h.pid(), false);
        if (t > 0) {
          sum += t;
        }
      }
      return sum;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static long ticks(long pid, boolean withChildren) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
          StandardCharsets.US_ASCII);
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
      long t = Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
      return withChildren ? t + Long.parseLong(f[16 - 3]) + Long.parseLong(f[17 - 3]) : t;
    } catch (IOException | RuntimeException e) {
      return 0; // a descendant that exited meanwhile
    }
  }
}
