package io.tidecache.spring;

import java.nio.charset.StandardCharsets;

/**
 * Thread-safe (implementations are stateless or immutable): how the Spring cache adapter turns a
 * cached value into the bytes tidecache stores, and back. Chosen by
 * {@code tidecache.cache.value-codec}: {@link JsonValueCodec json}, {@link #STRING string},
 * {@link #BYTES bytes}.
 */
interface ValueCodec {

  /** The bytes of {@code value} (never {@code null}); a value of the wrong type is refused. */
  byte[] encode(String cache, Object value);

  /** The value of {@code bytes}. */
  Object decode(String cache, byte[] bytes);

  /** Strings as UTF-8: readable by any client of the same cache. */
  ValueCodec STRING = new ValueCodec() {
    @Override
    public byte[] encode(String cache, Object value) {
      if (!(value instanceof CharSequence s)) {
        throw wrongType(cache, "string", "strings", value);
      }
      return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Object decode(String cache, byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  };

  /** Byte arrays as they are. */
  ValueCodec BYTES = new ValueCodec() {
    @Override
    public byte[] encode(String cache, Object value) {
      if (!(value instanceof byte[] b)) {
        throw wrongType(cache, "bytes", "byte arrays", value);
      }
      return b;
    }

    @Override
    public Object decode(String cache, byte[] bytes) {
      return bytes;
    }
  };

  private static IllegalArgumentException wrongType(String cache, String codec, String what,
      Object value) {
    return new IllegalArgumentException("cache '" + cache + "' stores " + what
        + " (tidecache.cache.value-codec=" + codec + "), not a " + value.getClass().getName()
        + "; use tidecache.cache.value-codec=json for other types");
  }
}
