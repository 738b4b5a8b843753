package dev.switchboard.testkit.conformance;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Fails a test if anything under the {@code dev.switchboard} logger logged at WARN or ERROR while
 * it ran. A test (or its class) annotated {@link AllowWarnings} may log warnings; errors, which
 * mean the toolkit itself failed, always fail it.
 *
 * <p>Register it on an instance field, ordered so that it checks after everything the test opened
 * has been closed (shutdown warnings count too):
 *
 * <pre>{@code
 * @RegisterExtension @Order(1) final LogCheck logs = new LogCheck();
 * }</pre>
 *
 * <p>Needs logback-classic as the SLF4J provider on the test class path, and fails the test with
 * that explanation otherwise, rather than letting the check pass unseen. If the configuration sets
 * the toolkit's level above WARN, it is lowered to WARN for the duration of the test.
 */
public final class LogCheck implements BeforeEachCallback, AfterEachCallback {
  private static final String TOOLKIT_LOGGER = "dev.switchboard";

  private @Nullable ListAppender<ILoggingEvent> appender;
  private @Nullable Logger logger;
  private @Nullable Level previousLevel;

  @Override
  public void beforeEach(ExtensionContext context) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext logback)) {
      throw new IllegalStateException(
          "LogCheck needs logback-classic as the SLF4J provider, found "
              + factory.getClass().getName()
              + "; add ch.qos.logback:logback-classic to the test class path");
    }
    Logger toolkit = logback.getLogger(TOOLKIT_LOGGER);
    previousLevel = toolkit.getLevel();
    if (toolkit.getEffectiveLevel().toInt() > Level.WARN.toInt()) {
      toolkit.setLevel(Level.WARN);
    }
    ListAppender<ILoggingEvent> list = new ListAppender<>();
    list.setContext(logback);
    list.setName("conformance-log-check");
    list.start();
    toolkit.addAppender(list);
    appender = list;
    logger = toolkit;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ListAppender<ILoggingEvent> list = appender;
    Logger toolkit = logger;
    if (list == null || toolkit == null) {
      return;
    }
    toolkit.detachAppender(list);
    toolkit.setLevel(previousLevel);
    list.stop();
    boolean warningsAllowed =
        context
                .getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, AllowWarnings.class))
                .isPresent()
            || context
                .getTestClass()
                .flatMap(c -> AnnotationSupport.findAnnotation(c, AllowWarnings.class))
                .isPresent();
    Level threshold = warningsAllowed ? Level.ERROR : Level.WARN;
    List<ILoggingEvent> offending;
    synchronized (list) {
      offending = list.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(threshold)).toList();
    }
    if (!offending.isEmpty()) {
      throw new AssertionError(
          "the toolkit logged "
              + offending.size()
              + " event(s) at "
              + threshold
              + " or above during a test that expects none:\n"
              + offending.stream().map(LogCheck::describe).collect(Collectors.joining("\n")));
    }
  }

  private static String describe(ILoggingEvent e) {
    IThrowableProxy thrown = e.getThrowableProxy();
    return "  "
        + e.getLevel()
        + " "
        + e.getLoggerName()
        + " ["
        + e.getThreadName()
        + "]: "
        + e.getFormattedMessage()
        + (thrown == null ? "" : " -- " + thrown.getClassName() + ": " + thrown.getMessage());
  }
}
