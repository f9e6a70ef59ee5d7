package io.tidecache.loadtest.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Thread-safe (synchronized; one writer at a time): a CSV file written line by line and flushed
 * after each, so that a run stopped half way leaves every second it measured on disk.
 */
public final class CsvFile implements AutoCloseable {
  private final Path path;
  private final BufferedWriter out;

  private CsvFile(Path path, BufferedWriter out) {
    this.path = path;
    this.out = out;
  }

  /** Creates (or truncates) {@code path} and writes {@code header}. */
  public static CsvFile create(Path path, String header) {
    try {
      CsvFile f = new CsvFile(path, Files.newBufferedWriter(path, StandardCharsets.UTF_8));
      f.line(header);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path, e);
    }
  }

  public Path path() {
    return path;
  }

  /** Appends one line (without its line break) and flushes. */
  public synchronized void line(String csvLine) {
    try {
      out.write(csvLine);
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + path, e);
    }
  }
}
