package io.tidecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidecache.api.Codecs;
import io.tidecache.api.TypedCache;
import io.tidecache.transport.rsocket.RSocketCacheClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not thread-safe (JUnit's thread): the server archive that {@code ./mvnw package} builds, used
 * as an operator would (failsafe runs it after {@code package}): unpacked with {@code tar}, its
 * {@code bin/tidecache} starts the server with the archive's example configuration, a client
 * calls it, SIGTERM stops it gracefully with exit code 0, and {@code bin/tidecache demo --help}
 * answers. Only the runtime's jars ship in {@code lib/}.
 */
class ServerArchiveIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern PORT = Pattern.compile("\"port\":(\\d+)");

  @TempDir
  Path dir;

  @Test
  void theUnpackedArchiveServesAndStopsOnSigterm() throws Exception {
    Path archive = Path.of(System.getProperty("tidecache.archive"));
    assertThat(archive).as("built by package").isRegularFile();
    run(List.of("tar", "-xzf", archive.toString(), "-C", dir.toString()));
    Path home;
    try (var top = Files.list(dir)) {
      home = top.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    Path launcher = home.resolve("bin/tidecache");
    assertThat(Files.getPosixFilePermissions(launcher))
        .contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(home.resolve("config/tidecache.properties")).isRegularFile();
    assertThat(home.resolve("systemd/tidecache.service")).isRegularFile();
    try (var libs = Files.list(home.resolve("lib"))) {
      List<String> jars = libs.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(jars).anyMatch(j -> j.startsWith("tidecache-server-"))
          .anyMatch(j -> j.startsWith("tidecache-engine-"))
          .noneMatch(j -> j.startsWith("junit") || j.startsWith("opentest4j")
              || j.startsWith("blockhound") || j.startsWith("assertj"));
    }

    Path stdout = dir.resolve("stdout");
    Path stderr = dir.resolve("stderr");
    ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "serve", "--config",
        home.resolve("config/tidecache.properties").toString(), "--tcp-port", "0",
        "--http-port", "0", "--pool-size", "16m", "--threads", "1")
        .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("TIDECACHE_JAVA_OPTS", "-Xmx128m -XX:TieredStopAtLevel=1");
    Process p = pb.start();
    try {
      String tcp = awaitLine(p, stdout, "\"event\":\"listening\",\"transport\":\"tcp\"", stderr);
      awaitLine(p, stdout, "\"event\":\"started\"", stderr);
      Matcher m = PORT.matcher(tcp);
      assertThat(m.find()).isTrue();
      RSocketCacheClient client = RSocketCacheClient.builder("default")
          .tcp("127.0.0.1", Integer.parseInt(m.group(1))).connect().block(WAIT);
      try {
        TypedCache<String, String> c = client.typed(Codecs.STRING, Codecs.STRING);
        c.put("k", "from the archive").block(WAIT);
        assertThat(c.get("k").block(WAIT)).isEqualTo("from the archive");
      } finally {
        client.close().block(WAIT);
      }
      p.destroy(); // SIGTERM, to the JVM itself: the launcher exec'd it
      assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("exited in time").isTrue();
      assertThat(p.exitValue()).as("exit code; stderr %s", Files.readString(stderr)).isZero();
      assertThat(Files.readAllLines(stdout)).last().satisfies(l -> assertThat(l)
          .contains("\"event\":\"stopped\"").contains("\"leasesActive\":0"));
    } finally {
      p.destroyForcibly();
    }

    String help = run(List.of(launcher.toString(), "demo", "--help"));
    assertThat(help).contains("Usage: tidecache demo").contains("--duration");
  }

  private String run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
    return out;
  }

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
