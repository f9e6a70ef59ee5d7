package io.tidecache.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one grammar of durations and sizes: what it takes, what it refuses, how it prints. */
class UnitsTest {

  @Test
  void durations() {
    assertThat(Units.duration("0")).isEqualTo(Duration.ZERO);
    assertThat(Units.duration("50us")).isEqualTo(Duration.ofNanos(50_000));
    assertThat(Units.duration(" 250MS ")).isEqualTo(Duration.ofMillis(250));
    assertThat(Units.duration("1.5s")).isEqualTo(Duration.ofMillis(1_500));
    assertThat(Units.duration("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Units.duration("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Units.duration("3650d")).isEqualTo(Duration.ofDays(3650));
    assertThat(Units.duration("PT30S")).isEqualTo(Duration.ofSeconds(30));
    for (String bad : new String[] {"", "30", "-1s", "1.5", "s", "10x", "PT-3S", "1e3s",
        "999999999999999d"}) {
      assertThat(Units.duration(bad)).as("'%s'", bad).isNull();
    }
  }

  @Test
  void sizes() {
    assertThat(Units.size("100").getAsLong()).isEqualTo(100);
    assertThat(Units.size("64k").getAsLong()).isEqualTo(65_536);
    assertThat(Units.size("8MiB").getAsLong()).isEqualTo(8L << 20);
    assertThat(Units.size("1 g").getAsLong()).isEqualTo(1L << 30);
    for (String bad : new String[] {"", "-1", "1.5m", "9999999999999999999t", "12x"}) {
      assertThat(Units.size(bad)).as("'%s'", bad).isEmpty();
    }
  }

  @Test
  void printedBackInTheLargestExactUnit() {
    assertThat(Units.formatDuration(Duration.ofMillis(1_500))).isEqualTo("1500ms");
    assertThat(Units.formatDuration(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Units.formatDuration(Duration.ofNanos(50_000))).isEqualTo("50us");
    assertThat(Units.formatSize(1536L << 10)).isEqualTo("1536k");
    assertThat(Units.formatSize(256L << 20)).isEqualTo("256m");
    assertThat(Units.duration(Units.formatDuration(Duration.ofSeconds(30))))
        .isEqualTo(Duration.ofSeconds(30));
  }
}
