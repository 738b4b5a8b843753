package dev.switchboard.rabbit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Records what the toolkit logs during each test, for tests that assert on a log line. Loggers
 * named with {@link #atDebug} log at DEBUG for the test; {@link #everythingAtDebug} records every
 * logger, the client library's included. Unlike {@code LogCheck} it fails nothing by itself.
 */
final class CapturedLogs implements BeforeEachCallback, AfterEachCallback {
  private static final String TOOLKIT = "dev.switchboard";

  private final List<String> debug;
  private final String attachTo;
  private final Map<Logger, @Nullable Level> previous = new LinkedHashMap<>();
  private @Nullable ListAppender<ILoggingEvent> appender;

  private CapturedLogs(List<String> debug, String attachTo) {
    this.debug = debug;
    this.attachTo = attachTo;
  }

  CapturedLogs() {
    this(List.of(), TOOLKIT);
  }

  static CapturedLogs atDebug(Class<?>... loggers) {
    return new CapturedLogs(Stream.of(loggers).map(Class::getName).toList(), TOOLKIT);
  }

  /** Every logger's events, with the toolkit and the RabbitMQ client at DEBUG. */
  static CapturedLogs everythingAtDebug() {
    return new CapturedLogs(List.of(TOOLKIT, "com.rabbitmq"), Logger.ROOT_LOGGER_NAME);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    for (String name : debug) {
      Logger logger = logback.getLogger(name);
      previous.put(logger, logger.getLevel());
      logger.setLevel(Level.DEBUG);
    }
    ListAppender<ILoggingEvent> list = new ListAppender<>();
    list.setContext(logback);
    list.setName("captured-logs");
    list.start();
    logback.getLogger(attachTo).addAppender(list);
    appender = list;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    ListAppender<ILoggingEvent> list = appender;
    if (list != null) {
      logback.getLogger(attachTo).detachAppender(list);
      list.stop();
    }
    previous.forEach(Logger::setLevel);
    previous.clear();
  }

  /** Every event so far, oldest first. */
  List<ILoggingEvent> events() {
    ListAppender<ILoggingEvent> list = appender;
    if (list == null) {
      return List.of();
    }
    synchronized (list) {
      return List.copyOf(list.list);
    }
  }

  /** The events from {@code type}'s logger at {@code level} that match {@code filter}. */
  List<ILoggingEvent> from(Class<?> type, Level level, Predicate<String> filter) {
    return events().stream()
        .filter(e -> e.getLoggerName().equals(type.getName()))
        .filter(e -> e.getLevel().equals(level))
        .filter(e -> filter.test(e.getFormattedMessage()))
        .toList();
  }
}
