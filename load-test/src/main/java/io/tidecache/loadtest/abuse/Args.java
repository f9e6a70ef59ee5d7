package io.tidecache.loadtest.abuse;

import java.util.HashMap;
import java.util.Map;

/** Immutable: {@code --name value} pairs of a command line, with defaults and a usage message. */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final String usage;

  Args(String[] args, String usage) {
    this.usage = usage;
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'\n"
            + usage);
      }
      values.put(args[i].substring(2), args[++i]);
    }
  }

  int integer(String name, int def) {
    String v = values.get(name);
    try {
      return v == null ? def : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " '" + v + "' is not a whole number\n"
          + usage);
    }
  }

  String text(String name, String def) {
    return values.getOrDefault(name, def);
  }
}
