package io.tidecache.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/** Thread-safe (stateless): the built-in codecs and a factory for user codecs. */
public final class Codecs {
  private Codecs() {}

  /** Strings as UTF-8. */
  public static final Codec<String> STRING = of(
      s -> Objects.requireNonNull(s, "string").getBytes(StandardCharsets.UTF_8),
      b -> new String(b, StandardCharsets.UTF_8));

  /** Longs as 8 bytes, big-endian (so byte order matches numeric order for non-negatives). */
  public static final Codec<Long> LONG = of(
      l -> ByteBuffer.allocate(Long.BYTES).putLong(Objects.requireNonNull(l, "long")).array(),
      b -> {
        if (b.length != Long.BYTES) {
          throw new InvalidRequest("a long needs 8 bytes, got " + b.length);
        }
        return ByteBuffer.wrap(b).getLong();
      });

  /** Byte arrays as themselves (no copy). */
  public static final Codec<byte[]> BYTES = of(b -> Objects.requireNonNull(b, "bytes"), b -> b);

  /** A codec from two functions. */
  public static <T> Codec<T> of(Function<? super T, byte[]> encoder,
      Function<byte[], ? extends T> decoder) {
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(decoder, "decoder");
    return new Codec<>() {
      @Override
      public byte[] encode(T value) { return encoder.apply(value); }

      @Override
      public T decode(byte[] bytes) { return decoder.apply(bytes); }
    };
  }
}
