package io.tidecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.Codecs;
import io.tidecache.api.TypedCache;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not thread-safe (JUnit's thread): {@code tidecache serve} as its own process, stopped the way an
 * operator (or an orchestrator) stops it: SIGTERM ({@link Process#destroy()} on Linux). It
 * prints where it listens as JSON lines on stdout (ephemeral ports), serves a request, and on
 * SIGTERM logs "stopping" and "stopped" with every lease released, and exits with code 0.
 */
class GracefulStopProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern PORT = Pattern.compile("\"port\":(\\d+)");

  @TempDir
  Path dir;

  @Test
  void sigtermStopsGracefullyWithExitCode0AndNoLeaseLeft() throws Exception {
    String javaHome = System.getProperty("java.home");
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    // Files, not pipes: a pipe read while the process exits can lose its last lines.
    Path stdout = dir.resolve("stdout");
    Path stderr = dir.resolve("stderr");
    Process p = new ProcessBuilder(Path.of(javaHome, "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", classpath, TideCacheMain.class.getName(),
        "serve", "--tcp-port", "0", "--http-port", "0", "--pool-size", "16m",
        "--caches", "users,sessions", "--shard-size", "1m", "--threads", "1")
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
    try {
      String tcpLine = awaitLine(p, stdout, "\"event\":\"listening\",\"transport\":\"tcp\"",
          stderr);
      awaitLine(p, stdout, "\"event\":\"started\"", stderr);
      Matcher m = PORT.matcher(tcpLine);
      assertThat(m.find()).isTrue();
      int port = Integer.parseInt(m.group(1));

      RSocketCacheClient client = RSocketCacheClient.builder("users").tcp("127.0.0.1", port)
          .connect().block(WAIT);
      try {
        TypedCache<String, String> users = client.typed(Codecs.STRING, Codecs.STRING);
        users.put("id-1", "Ada").block(WAIT);
        assertThat(users.get("id-1").block(WAIT)).isEqualTo("Ada");

        p.destroy(); // SIGTERM
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("exited in time").isTrue();
      } finally {
        client.close().block(WAIT);
      }
      List<String> seen = Files.readAllLines(stdout);
      assertThat(p.exitValue()).as("exit code; stdout %s; stderr %s", seen,
          Files.readString(stderr)).isZero();
      assertThat(seen).as("one JSON object per line")
          .allSatisfy(l -> assertThat(l).startsWith("{\"ts\":\"").endsWith("}"));
      assertThat(seen).anySatisfy(l -> assertThat(l).contains("\"event\":\"stopping\"")
          .contains("\"reason\":\"signal\""));
      assertThat(seen).anySatisfy(l -> assertThat(l).contains("\"event\":\"stopped\"")
          .contains("\"drained\":true")
          .contains("\"requests\":2")
          .contains("\"leasesReleased\":2") // the base shard of each cache
          .contains("\"bytesReleased\":2097152")
          .contains("\"leasesActive\":0")
          .contains("\"poolFreeBytes\":16777216,\"poolBytes\":16777216")
          .contains("\"failure\":null"));
      assertThat(seen).as("'stopped' is the last line")
          .last().satisfies(l -> assertThat(l).contains("\"event\":\"stopped\""));
      assertThat(Files.readString(stderr)).as("stderr").isEmpty();
    } finally {
      p.destroyForcibly();
    }
  }

  /** The first line of the file that contains {@code fragment}, polling until a deadline. */
  private static String awaitLine(Process p, Path file, String fragment, Path stderr)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(file)) {
        if (line.contains(fragment)) {
          return line;
        }
      }
      if (p.waitFor(10, TimeUnit.MILLISECONDS)) { // waits on the process, not a sleep
        break;
      }
    }
    throw new AssertionError("no line with " + fragment + "; stdout " + Files.readString(file)
        + "; stderr " + Files.readString(stderr));
  }
}
