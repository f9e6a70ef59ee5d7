package io.tidecache.engine;

import java.util.Arrays;
import java.util.function.Predicate;

/** Test helper: byte-array content predicates for StepVerifier. */
public final class Bytes {
  private Bytes() {}

  public static Predicate<byte[]> eq(byte[] expected) {
    return actual -> Arrays.equals(actual, expected);
  }
}
