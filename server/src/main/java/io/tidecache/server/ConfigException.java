package io.tidecache.server;

import java.util.List;

/**
 * Immutable: the configuration was refused at start; nothing was started. Carries every problem
 * found, one sentence each, naming the key, the value given, where it came from and what is
 * allowed.
 */
final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  ConfigException(List<String> problems) {
    super(String.join("\n", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  /** One sentence per problem, in the order the keys were checked. */
  List<String> problems() {
    return problems;
  }
}
