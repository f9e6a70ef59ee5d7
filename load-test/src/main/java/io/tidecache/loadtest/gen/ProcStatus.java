package io.tidecache.loadtest.gen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Stateless, thread-safe: the resident set size of a process, read from {@code VmRSS} in
 * {@code /proc/<pid>/status} (Linux).
 */
final class ProcStatus {
  private ProcStatus() {}

  /** This process's RSS in bytes, or -1 when it cannot be read. */
  static long selfRss() {
    return rss(Path.of("/proc/self/status"));
  }

  /** The RSS of process {@code pid} in bytes, or -1 when it cannot be read (gone, not Linux). */
  static long rss(long pid) {
    return pid <= 0 ? -1 : rss(Path.of("/proc/" + pid + "/status"));
  }

  private static long rss(Path status) {
    try {
      for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024L; // kB
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
