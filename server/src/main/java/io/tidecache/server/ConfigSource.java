package io.tidecache.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Immutable: the raw text of the configuration, in layers (the flags first, then the config
 * file), each value remembering where it came from so that a refusal can say so.
 */
final class ConfigSource {
  /** One value as given: its key, its text and where it came from ("--tcp-port", a file). */
  record Value(String key, String text, String origin) {}

  private final List<Map<String, Value>> layers;

  private ConfigSource(List<Map<String, Value>> layers) {
    this.layers = List.copyOf(layers);
  }

  static ConfigSource empty() {
    return new ConfigSource(List.of());
  }

  /** The flags (highest precedence) over the file's properties (may be empty). */
  static ConfigSource of(Map<String, Value> flags, Map<String, Value> file) {
    return new ConfigSource(List.of(Map.copyOf(flags), Map.copyOf(file)));
  }

  /** Values given as {@code key=text} pairs, all from one origin (tests, --set). */
  static Map<String, Value> values(Map<String, String> pairs, String origin) {
    Map<String, Value> out = new LinkedHashMap<>();
    pairs.forEach((k, v) -> out.put(k.trim(), new Value(k.trim(), v, origin)));
    return out;
  }

  /**
   * The properties of a config file, each from origin {@code file <path>}.
   *
   * @throws ConfigException when the file cannot be read
   */
  static Map<String, Value> readFile(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(List.of("--config '" + file + "': cannot read the config file ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")"));
    }
    Map<String, Value> out = new LinkedHashMap<>();
    String origin = "file " + file;
    for (String k : p.stringPropertyNames()) {
      out.put(k.trim(), new Value(k.trim(), p.getProperty(k), origin));
    }
    return out;
  }

  /** The value of a server key, or {@code null} when no layer gives it. */
  Value get(String key) {
    for (Map<String, Value> layer : layers) {
      Value v = layer.get(key);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /**
   * The value of a cache key for one cache: in each layer, {@code cache.<name>.<key>} before
   * {@code cache.<key>}; a higher layer wins whatever the width.
   */
  Value forCache(String cache, String key) {
    for (Map<String, Value> layer : layers) {
      Value v = layer.get("cache." + cache + "." + key);
      if (v == null) {
        v = layer.get("cache." + key);
      }
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** Every value given, the flags first. */
  List<Value> all() {
    List<Value> out = new ArrayList<>();
    layers.forEach(l -> out.addAll(l.values()));
    return out;
  }
}
