package io.tidecache.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves the leak check can fail: a buffer dropped unreleased is reported as a LEAK. */
class LeakDetectionSelfTest {

  @Test
  void anUnreleasedBufferIsReported() throws InterruptedException {
    NoLeaksExtension.collect(); // start from a clean slate
    leakOne();
    List<String> reports = NoLeaksExtension.collect();
    assertThat(reports).anySatisfy(r -> assertThat(r).startsWith("LEAK: ByteBuf")
        .contains("leak-self-test"));
  }

  private static void leakOne() {
    ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
    b.touch("leak-self-test");
    b.writeInt(42);
    // dropped without release()
  }
}
