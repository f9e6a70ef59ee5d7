package io.tidecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Not thread-safe (JUnit's thread): the command line: {@code serve} is the default command, a
 * bad flag or config value exits with code 2 and a message naming the key, the value and the
 * range, before anything starts (nothing is logged, no port is bound).
 */
class ServeCommandTest {

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = new CommandLine(new TideCacheMain());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(TideCacheMain.withDefaultCommand(args));
  }

  @Test
  void serveIsTheDefaultCommand() {
    assertThat(TideCacheMain.withDefaultCommand(new String[0])).containsExactly("serve");
    assertThat(TideCacheMain.withDefaultCommand(new String[] {"--tcp-port", "0"}))
        .containsExactly("serve", "--tcp-port", "0");
    assertThat(TideCacheMain.withDefaultCommand(new String[] {"demo"})).containsExactly("demo");
    assertThat(TideCacheMain.withDefaultCommand(new String[] {"--help"}))
        .containsExactly("--help");
  }

  @Test
  void aBadFlagExitsWithCode2AndStartsNothing() {
    int code = run("--tcp-port", "70000", "--grow-occupancy", "2");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("bad configuration, nothing started")
        .contains("tcp.port = '70000' (--tcp-port) is out of range; allowed: 0 to 65535")
        .contains("cache.autoscaler.grow-occupancy = '2' (--grow-occupancy) is out of range; "
            + "allowed: 0.05 to 1");
    assertThat(out.toString()).as("nothing logged: nothing started").isEmpty();
  }

  @Test
  void aBadConfigFileValueNamesTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("bad.properties"), "pool.size=12 apples\n");
    assertThat(run("serve", "--config", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("pool.size = '12 apples' (file " + file + ") is not a "
        + "size");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aMissingConfigFileExitsWithCode2() {
    assertThat(run("--config", dir.resolve("nope.properties").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("cannot read the config file");
  }

  @Test
  void setReachesOneCache() {
    assertThat(run("--caches", "a,b", "--set", "cache.b.base-shards=0")).isEqualTo(2);
    assertThat(err.toString()).contains("cache.b.base-shards = '0' (--set) is out of range; "
        + "allowed: 1 to 1024");
  }

  @Test
  void helpListsTheFlags() {
    assertThat(run("serve", "--help")).isZero();
    assertThat(out.toString()).contains("--config").contains("--tcp-port")
        .contains("--autoscaler").contains("--shutdown-grace").contains("--set");
  }
}
