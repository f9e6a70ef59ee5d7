package io.tidecache.transport.rsocket;

import io.tidecache.api.CacheStats;
import io.tidecache.api.InvalidRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Thread-safe (stateless but for a per-class cache of record components): the JSON text of the
 * {@code events} and stats routes, and a reader for the flat objects a client gets back.
 *
 * <p>A record becomes an object whose first field is {@code "type"}, its simple class name
 * ({@code LeaseEvent}, {@code ShardAdded}, {@code CacheStats}...), followed by its components in
 * declaration order: numbers as JSON numbers (non-finite doubles as {@code null}), enums and
 * strings as strings, booleans, lists as arrays, nested records as objects (with their own
 * {@code "type"}). Reflection is used so that event types added to the api later are encoded
 * without a change here.
 */
final class JsonText {
  private JsonText() {}

  private static final ClassValue<RecordComponent[]> COMPONENTS = new ClassValue<>() {
    @Override
    protected RecordComponent[] computeValue(Class<?> type) {
      return type.getRecordComponents();
    }
  };

  /** The JSON text of a record (an event or a stats snapshot). */
  static String of(Object record) {
    StringBuilder out = new StringBuilder(256);
    write(out, record);
    return out.toString();
  }

  private static void write(StringBuilder out, Object v) {
    switch (v) {
      case null -> out.append("null");
      case Record r -> writeRecord(out, r);
      case String s -> writeString(out, s);
      case Enum<?> e -> writeString(out, e.name());
      case Boolean b -> out.append(b.booleanValue());
      case Double d -> out.append(d.isNaN() || d.isInfinite() ? "null" : d.toString());
      case Float f -> out.append(f.isNaN() || f.isInfinite() ? "null" : f.toString());
      case Number n -> out.append(n.toString());
      case Collection<?> c -> {
        out.append('[');
        boolean first = true;
        for (Object o : c) {
          if (!first) {
            out.append(',');
          }
          first = false;
          write(out, o);
        }
        out.append(']');
      }
      default -> writeString(out, v.toString());
    }
  }

  private static void writeRecord(StringBuilder out, Record r) {
    out.append("{\"type\":");
    writeString(out, r.getClass().getSimpleName());
    for (RecordComponent c : COMPONENTS.get(r.getClass())) {
      out.append(',');
      writeString(out, c.getName());
      out.append(':');
      try {
        write(out, c.getAccessor().invoke(r));
      } catch (IllegalAccessException | InvocationTargetException e) {
        out.append("null");
      }
    }
    out.append('}');
  }

  private static void writeString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (ch < 0x20) {
            out.append(String.format("\\u%04x", (int) ch));
          } else {
            out.append(ch);
          }
        }
      }
    }
    out.append('"');
  }

  /**
   * Reads a flat JSON object: string, number, boolean and null values (no nested objects or
   * arrays). Numbers without a fraction or exponent become {@code Long}, others {@code Double}.
   *
   * @throws InvalidRequest for anything else
   */
  static Map<String, Object> readFlat(String json) {
    return new FlatReader(json).object();
  }

  /** A {@link CacheStats} from its JSON text. */
  static CacheStats readStats(String json) {
    Map<String, Object> m = readFlat(json);
    return new CacheStats(String.valueOf(m.get("cache")), num(m, "hits"), num(m, "misses"),
        num(m, "puts"), num(m, "removes"), num(m, "evictions"), num(m, "expirations"),
        num(m, "refusals"), num(m, "entries"), num(m, "capacity"), (int) num(m, "shards"),
        num(m, "leasedBytes"));
  }

  private static long num(Map<String, Object> m, String field) {
    return m.get(field) instanceof Number n ? n.longValue() : 0L;
  }

  /** Not thread-safe: one pass over one text. */
  private static final class FlatReader {
    private final String s;
    private int i;

    FlatReader(String s) {
      this.s = s;
    }

    Map<String, Object> object() {
      Map<String, Object> m = new LinkedHashMap<>();
      expect('{');
      if (peek() == '}') {
        i++;
        return m;
      }
      while (true) {
        String key = string();
        expect(':');
        m.put(key, value());
        char c = next();
        if (c == '}') {
          return m;
        }
        if (c != ',') {
          throw bad("',' or '}'");
        }
      }
    }

    private Object value() {
      char c = peek();
      if (c == '"') {
        return string();
      }
      if (s.startsWith("true", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("false", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      if (s.startsWith("null", i)) {
        i += 4;
        return null;
      }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      String n = s.substring(start, i);
      try {
        return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
      } catch (NumberFormatException e) {
        throw bad("a value");
      }
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\' && i < s.length()) {
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> b.append('\n');
            case 'r' -> b.append('\r');
            case 't' -> b.append('\t');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              if (i + 4 > s.length()) {
                throw bad("4 hex digits");
              }
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> b.append(e);
          }
        } else {
          b.append(c);
        }
      }
      throw bad("a closing quote");
    }

    private void expect(char c) {
      if (next() != c) {
        throw bad("'" + c + "'");
      }
    }

    private char next() {
      char c = peek();
      i++;
      return c;
    }

    private char peek() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      return i < s.length() ? s.charAt(i) : '\0';
    }

    private InvalidRequest bad(String expected) {
      return new InvalidRequest("BAD_PAYLOAD: expected " + expected + " at offset " + i
          + " of JSON text");
    }
  }
}
