package io.tidecache.spring;

/**
 * Immutable: a {@code tidecache.*} property whose value cannot be used; thrown at start, so the
 * application does not start. The message names the property, its value and what is allowed.
 */
public final class TideCachePropertyException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final String value;
  private final String allowed;

  TideCachePropertyException(String property, Object value, String allowed) {
    this(property, value, allowed, null);
  }

  TideCachePropertyException(String property, Object value, String allowed, Throwable cause) {
    super(property + " = '" + value + "' cannot be used; allowed: " + allowed, cause);
    this.property = property;
    this.value = String.valueOf(value);
    this.allowed = allowed;
  }

  /** The property's full name, for example {@code tidecache.client.uri}. */
  public String property() { return property; }

  /** The value it had. */
  public String value() { return value; }

  /** What it may be. */
  public String allowed() { return allowed; }
}
