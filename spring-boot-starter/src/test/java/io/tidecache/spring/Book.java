package io.tidecache.spring;

import java.util.List;

/**
 * Immutable: a value the tests cache as JSON (a record with a nested list, read back by type).
 *
 * @param isbn the key
 * @param title a field
 * @param authors a nested list
 */
public record Book(String isbn, String title, List<String> authors) {
  static Book of(String isbn) {
    return new Book(isbn, "Title of " + isbn, List.of("Ada", "Grace"));
  }
}
