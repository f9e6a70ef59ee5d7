package io.tidecache.loadtest.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Not thread-safe: a Markdown table built row by row; {@link #toString()} renders it with its
 * columns padded, so that it reads as well on a terminal as in a Markdown viewer.
 */
public final class MarkdownTable {
  private final List<String> headers;
  private final boolean[] rightAligned;
  private final List<List<String>> rows = new ArrayList<>();

  /**
   * A table with these column headers; a header ending in {@code ">"} is right-aligned (the
   * {@code ">"} is not shown), as numbers read best.
   */
  public MarkdownTable(String... headers) {
    this.headers = new ArrayList<>();
    this.rightAligned = new boolean[headers.length];
    for (int i = 0; i < headers.length; i++) {
      String h = headers[i];
      rightAligned[i] = h.endsWith(">");
      this.headers.add(rightAligned[i] ? h.substring(0, h.length() - 1) : h);
    }
  }

  /** Adds a row; it must have one cell per column. */
  public MarkdownTable row(String... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("a row of " + cells.length + " cells for "
          + headers.size() + " columns");
    }
    rows.add(List.of(cells));
    return this;
  }

  @Override
  public String toString() {
    int[] width = new int[headers.size()];
    for (int c = 0; c < width.length; c++) {
      width[c] = Math.max(3, headers.get(c).length());
      for (List<String> r : rows) {
        width[c] = Math.max(width[c], r.get(c).length());
      }
    }
    StringBuilder b = new StringBuilder();
    line(b, headers, width);
    b.append('|');
    for (int c = 0; c < width.length; c++) {
      b.append(' ').append("-".repeat(width[c] - 1)).append(rightAligned[c] ? ':' : '-')
          .append(" |");
    }
    b.append('\n');
    for (List<String> r : rows) {
      line(b, r, width);
    }
    return b.toString();
  }

  private void line(StringBuilder b, List<String> cells, int[] width) {
    b.append('|');
    for (int c = 0; c < width.length; c++) {
      String cell = cells.get(c);
      String pad = " ".repeat(width[c] - cell.length());
      b.append(' ').append(rightAligned[c] ? pad + cell : cell + pad).append(" |");
    }
    b.append('\n');
  }
}
