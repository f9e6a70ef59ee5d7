package io.tidecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Not thread-safe (JUnit's thread): the JSON log: one object per line with its fields in order
 * and strings escaped; logging from non-blocking threads (BlockHound watches them) never blocks;
 * a full queue drops lines and says how many.
 */
class JsonLogTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"),
      ZoneOffset.UTC);

  @Test
  void oneObjectPerLineWithTheFieldsInOrder() {
    StringWriter text = new StringWriter();
    try (JsonLog log = new JsonLog(new PrintWriter(text), CLOCK)) {
      Map<String, Object> nested = new LinkedHashMap<>();
      nested.put("a", 1);
      nested.put("b", List.of(true, "x"));
      log.info("listening", "port", 7878, "msg", "say \"hi\"\n\tbye\\", "none", null,
          "ratio", 0.5, "nan", Double.NaN, "wait", Duration.ofSeconds(2), "nested", nested);
      log.warn("w");
    }
    assertThat(text.toString().lines().toList()).containsExactly(
        "{\"ts\":\"2025-01-02T03:04:05Z\",\"level\":\"info\",\"event\":\"listening\","
            + "\"port\":7878,\"msg\":\"say \\\"hi\\\"\\n\\tbye\\\\\",\"none\":null,"
            + "\"ratio\":0.5,\"nan\":null,\"wait\":2000,\"nested\":{\"a\":1,\"b\":[true,\"x\"]}}",
        "{\"ts\":\"2025-01-02T03:04:05Z\",\"level\":\"warn\",\"event\":\"w\"}");
  }

  @Test
  void nonBlockingThreadsLogWithoutBlockingAndEveryLineArrives() {
    StringWriter text = new StringWriter();
    try (JsonLog log = new JsonLog(new PrintWriter(text), CLOCK)) {
      // Parallel threads are NonBlocking: BlockHound fails the test if logging blocks there.
      Flux.range(0, 2000).parallel(2).runOn(Schedulers.parallel())
          .doOnNext(i -> log.info("n", "i", i)).sequential().blockLast(Duration.ofSeconds(10));
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(text.toString().lines()).hasSize(2000);
      assertThat(log.dropped()).isZero();
    }
  }

  @Test
  void aFullQueueDropsAndSaysHowMany() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch writing = new CountDownLatch(1);
    StringWriter text = new StringWriter();
    Writer stuck = new Writer() { // the writer thread blocks here until released
      @Override
      public void write(char[] buf, int off, int len) {
        writing.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        text.write(buf, off, len);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    try (JsonLog log = new JsonLog(new PrintWriter(stuck), CLOCK)) {
      log.info("first");
      assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 5000; i++) {
        log.info("n", "i", i);
      }
      assertThat(log.dropped()).isPositive();
      long dropped = log.dropped();
      release.countDown();
      assertThat(log.flush(Duration.ofSeconds(10))).isTrue();
      log.close();
      assertThat(text.toString()).contains("\"event\":\"log.dropped\",\"lines\":" + dropped);
      assertThat(text.toString().lines().filter(l -> l.contains("\"event\":\"n\"")))
          .hasSize((int) (5000 - dropped));
    }
  }
}
