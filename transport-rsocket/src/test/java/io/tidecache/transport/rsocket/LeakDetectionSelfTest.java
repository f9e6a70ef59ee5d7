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

  @Test
  void onlyRSocketsOwnSetupFrameOnADroppedConnectionIsSetAside() {
    String setup = "\n#1:\n\tio.netty.channel.ChannelOutboundBuffer.close(x)\n#2:\n"
        + "\tio.rsocket.frame.SetupFrameCodec.encode(x)\n\tio.rsocket.core.RSocketConnector(x)";
    assertThat(CountingLeakDetector.isClientSetupFrameLeakedByRSocket(setup)).isTrue();
    assertThat(CountingLeakDetector.isClientSetupFrameLeakedByRSocket(
        setup + "\n\tio.tidecache.transport.rsocket.CacheResponder(x)")).isFalse();
    assertThat(CountingLeakDetector.isClientSetupFrameLeakedByRSocket(
        "\n#1:\n\tio.rsocket.frame.SetupFrameCodec.encode(x)")).isFalse();
    // Written, then released by Netty's flush (the frame reached the socket before the drop).
    String written = setup.replace("ChannelOutboundBuffer.close", "ChannelOutboundBuffer.remove");
    assertThat(CountingLeakDetector.isClientSetupFrameLeakedByRSocket(written)).isTrue();
    assertThat(CountingLeakDetector.isClientSetupFrameLeakedByRSocket(
        written + "\n\tio.tidecache.transport.rsocket.CacheResponder(x)")).isFalse();
  }

  private static void leakOne() {
    ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
    b.touch("leak-self-test");
    b.writeInt(42);
    // dropped without release()
  }
}
