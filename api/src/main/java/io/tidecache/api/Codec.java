package io.tidecache.api;

/**
 * Thread-safe (implementations must be): turns a value of type {@code T} into bytes and back.
 * {@code decode(encode(x))} equals {@code x}. See {@link Codecs} for the built-in ones.
 *
 * @param <T> the type this codec handles
 */
public interface Codec<T> {

  byte[] encode(T value);

  T decode(byte[] bytes);
}
