package io.tidecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Not thread-safe (JUnit's thread): {@code tidecache demo} end to end, shortened to three seconds
 * with tiny shards: it prints a line per second, grows the autoscaled cache during the spike,
 * prints the three-way summary, writes a PNG, hands every lease back and says how to run the
 * server; bad options are refused before anything starts.
 */
class DemoCommandTest {

  private record Run(int exit, String out, String err) {}

  private static Run demo(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new TideCacheMain());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "demo";
    System.arraycopy(args, 0, all, 1, args.length);
    int exit = cli.execute(all);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void aShortRunGrowsTheAutoscaledCacheAndComparesItWithFixedOnes(@TempDir Path dir)
      throws Exception {
    Path chart = dir.resolve("demo.png");
    // 100 keys fit one 16 KiB shard (160 entries); the spike's 800 do not.
    Run run = demo("--duration", "3s", "--rate", "2000", "--keys", "100", "--spike", "8",
        "--ttl", "1s", "--shard-size", "16k", "--max-shards", "6", "--sample-interval", "50ms",
        "--chart", chart.toString());
    assertThat(run.exit()).as("exit code; out:%n%s%nerr:%n%s", run.out(), run.err()).isZero();
    String out = run.out();
    List<String> live = out.lines().filter(l -> l.startsWith("[")).toList();
    assertThat(live).hasSize(3);
    assertThat(live.get(0)).startsWith("[#######.............]   1s low   shards ")
        .contains(" leased ").contains(" MiB  RSS ").contains("  hit ").contains(" ops/s  last: ");
    assertThat(live.get(2)).startsWith("[####################]   3s ");
    assertThat(out).contains("x8 (16,000 req/s over 800 keys) from 0.6 s to 1.5 s");

    Matcher auto = Pattern.compile("\\n  autoscaled +1\\.\\.(\\d+) +(\\d+\\.\\d)% ").matcher(out);
    assertThat(auto.find()).as("the autoscaled row, grown past 1 shard:%n%s", out).isTrue();
    assertThat(Integer.parseInt(auto.group(1))).isBetween(2, 6);
    assertThat(out).containsPattern("\\n  fixed at 6 shards +6 +\\d+\\.\\d% .* 1\\.00x\\n")
        .containsPattern("\\n  fixed at 1 shard +1 +\\d+\\.\\d% ")
        .containsPattern("autoscaler: [1-9]\\d* grows and \\d+ shrinks applied")
        .contains("failed: 0")
        .containsPattern("memory back: engine closed, pool free (\\S+) MiB of \\1 MiB, 0 leases "
            + "active")
        .contains("run the server: bin/tidecache serve");
    assertThat(out).contains("chart: " + chart + " (");
    byte[] png = Files.readAllBytes(chart);
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    assertThat(png.length).isGreaterThan(10_000);
  }

  @Test
  void badOptionsAreAllNamedAndNothingStarts(@TempDir Path dir) {
    Run run = demo("--duration", "1s", "--rate", "lots", "--shard-size", "1x", "--chart",
        dir.resolve("missing").resolve("demo.png").toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("tidecache demo: bad option, nothing started:")
        .contains("--duration = '1s' is out of range; allowed: 3s to 10m")
        .contains("--rate = 'lots' is not a whole number; allowed: 10 to 1,000,000")
        .contains("--shard-size = '1x' is not a size")
        .contains("--chart = '");
  }
}
