package io.tidecache.spring;

import java.util.Collection;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/*
 * Implementation notes
 * ====================
 *
 * Spring's Cache.get(key) and retrieve(key) carry no target type, so the type travels with the
 * value: each value is stored as a small JSON envelope,
 *
 *   {"@type":"com.example.Book","value":{"isbn":"...","title":"..."}}
 *
 * and a collection whose elements share one class also names that class, so that the List a
 * @Cacheable Flux method leaves in the cache reads back as a List of Books, not of maps:
 *
 *   {"@type":"java.util.ArrayList","@element":"com.example.Book","value":[{...},{...}]}
 *
 * Reading a value back instantiates the class the envelope names, so only classes of trusted
 * packages are read (java.lang, java.util, java.time, java.math, and those listed in
 * tidecache.cache.json.trusted-packages): anyone who can write to the cache could otherwise
 * choose the classes this JVM deserializes. Maps read back with plain JSON values.
 */

/** Thread-safe (immutable): values as JSON through Jackson 3, with their type; see the notes. */
final class JsonValueCodec implements ValueCodec {
  private static final List<String> ALWAYS_TRUSTED =
      List.of("java.lang", "java.util", "java.time", "java.math");

  private final ObjectMapper mapper;
  private final List<String> trusted;
  private final ClassLoader classLoader;

  JsonValueCodec(ObjectMapper mapper, List<String> trustedPackages, ClassLoader classLoader) {
    this.mapper = mapper;
    this.trusted = List.copyOf(trustedPackages);
    this.classLoader = classLoader;
  }

  @Override
  public byte[] encode(String cache, Object value) {
    ObjectNode envelope = mapper.createObjectNode();
    envelope.put("@type", value.getClass().getName());
    if (value instanceof Collection<?> c) {
      Class<?> element = commonClass(c);
      if (element != null) {
        envelope.put("@element", element.getName());
      }
    }
    envelope.set("value", mapper.valueToTree(value));
    return mapper.writeValueAsBytes(envelope);
  }

  @Override
  public Object decode(String cache, byte[] bytes) {
    JsonNode root;
    try {
      root = mapper.readTree(bytes);
    } catch (JacksonException e) {
      throw new IllegalStateException("cache '" + cache + "' holds a value that is not the json "
          + "codec's (tidecache.cache.value-codec=json): " + e.getOriginalMessage(), e);
    }
    JsonNode type = root == null ? null : root.get("@type");
    if (type == null || !type.isString() || !root.has("value")) {
      throw new IllegalStateException("cache '" + cache + "' holds a value without the json "
          + "codec's envelope {\"@type\":...,\"value\":...}: was it written by another codec?");
    }
    Class<?> valueClass = load(cache, type.stringValue());
    JavaType target = mapper.getTypeFactory().constructType(valueClass);
    JsonNode element = root.get("@element");
    if (element != null && element.isString() && Collection.class.isAssignableFrom(valueClass)) {
      @SuppressWarnings("unchecked")
      Class<? extends Collection<?>> collection = (Class<? extends Collection<?>>) valueClass;
      target = mapper.getTypeFactory().constructCollectionType(collection,
          load(cache, element.stringValue()));
    }
    return mapper.treeToValue(root.get("value"), target);
  }

  private Class<?> load(String cache, String name) {
    Class<?> c;
    try {
      c = Class.forName(name, false, classLoader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("cache '" + cache + "' holds a " + name
          + ", a class this application does not have", e);
    }
    Class<?> base = c;
    while (base.isArray()) {
      base = base.getComponentType();
    }
    if (!base.isPrimitive() && !trusted(base.getPackageName())) {
      throw new IllegalStateException("cache '" + cache + "' holds a " + name + ", whose package "
          + "is not trusted: add '" + base.getPackageName()
          + "' to tidecache.cache.json.trusted-packages (now " + trusted + ")");
    }
    return c;
  }

  private boolean trusted(String pkg) {
    for (List<String> list : List.of(ALWAYS_TRUSTED, trusted)) {
      for (String t : list) {
        if (t.equals("*") || pkg.equals(t) || pkg.startsWith(t + ".")) {
          return true;
        }
      }
    }
    return false;
  }

  /** The one class every non-null element has, or {@code null}. */
  private static Class<?> commonClass(Collection<?> c) {
    Class<?> common = null;
    for (Object o : c) {
      if (o == null) {
        continue;
      }
      if (common == null) {
        common = o.getClass();
      } else if (common != o.getClass()) {
        return null;
      }
    }
    return common;
  }
}
