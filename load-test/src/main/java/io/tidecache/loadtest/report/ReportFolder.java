package io.tidecache.loadtest.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Immutable (the folder is created once): the folder of one run, {@code <root>/<name>-<timestamp>},
 * where every file of its report goes.
 */
public final class ReportFolder {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final Path dir;

  private ReportFolder(Path dir) {
    this.dir = dir;
  }

  /**
   * Creates {@code root/name-<yyyyMMdd-HHmmss>} (with a numeric suffix should it exist already).
   *
   * @throws UncheckedIOException when the folder cannot be created
   */
  public static ReportFolder create(Path root, String name) {
    String base = name + "-" + LocalDateTime.now().format(STAMP);
    try {
      Files.createDirectories(root);
      Path dir = root.resolve(base);
      for (int i = 2; Files.exists(dir); i++) {
        dir = root.resolve(base + "-" + i);
      }
      return new ReportFolder(Files.createDirectories(dir));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the report folder under " + root, e);
    }
  }

  /** A sub-folder of this one, created now (for the runs of a scenario). */
  public ReportFolder sub(String name) {
    try {
      return new ReportFolder(Files.createDirectories(dir.resolve(name)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir.resolve(name), e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** A file of this folder. */
  public Path file(String name) {
    return dir.resolve(name);
  }

  /** Writes {@code text} to the file {@code name} of this folder and returns its path. */
  public Path write(String name, String text) {
    Path p = file(name);
    try {
      Files.writeString(p, text, StandardCharsets.UTF_8);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + p, e);
    }
  }
}
