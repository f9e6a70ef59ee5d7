package io.tidecache.server;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Thread-safe: keeps the libraries quiet. Netty, Reactor and RSocket log through SLF4J (bound to
 * {@code java.util.logging} by slf4j-jdk14) or JUL directly, and so does the engine
 * ({@code System.Logger}); this replaces JUL's console handler with one that drops everything
 * below WARNING and turns the rest into {@link JsonLog} lines ({@code "event":"library"}, with the
 * first frames of the stack of the exception's root cause), so that stdout stays one JSON object per line. A
 * library may log on an event-loop or engine thread: {@link JsonLog} never blocks.
 */
final class LogBridge extends Handler {
  private static final int STACK_FRAMES = 12;

  private final JsonLog log;
  private final LongAdder forwarded = new LongAdder();

  private LogBridge(JsonLog log) {
    this.log = log;
    setLevel(Level.WARNING);
  }

  /** Routes JUL's root logger (WARNING and above) to {@code log}; returns the handler. */
  static LogBridge install(JsonLog log) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(Level.WARNING);
    LogBridge bridge = new LogBridge(log);
    root.addHandler(bridge);
    return bridge;
  }

  /** Records forwarded so far. */
  long forwarded() {
    return forwarded.sum();
  }

  @Override
  public void publish(LogRecord record) {
    if (!isLoggable(record)) {
      return;
    }
    forwarded.increment();
    String level = record.getLevel().intValue() >= Level.SEVERE.intValue() ? "error" : "warn";
    String message = record.getMessage();
    if (record.getParameters() != null && message != null && message.contains("{0")) {
      message = java.text.MessageFormat.format(message, record.getParameters());
    }
    Throwable t = record.getThrown();
    Throwable root = t;
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    log.write(level, "library", "logger", record.getLoggerName(), "msg", message,
        "error", t == null ? null : t.toString(),
        "cause", root == t ? null : root.toString(),
        "stack", root == null ? null : Arrays.stream(root.getStackTrace()).limit(STACK_FRAMES)
            .map(StackTraceElement::toString).toList());
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
  }
}
