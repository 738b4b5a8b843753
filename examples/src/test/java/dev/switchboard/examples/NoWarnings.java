package dev.switchboard.examples;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test during which anything logged at WARN or above: the examples provoke failures on
 * purpose and must report them in their own words, not as warnings.
 */
final class NoWarnings implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(NoWarnings.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root().addAppender(appender);
    context.getStore(NS).put("appender", appender);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void afterEach(ExtensionContext context) {
    ListAppender<ILoggingEvent> appender =
        (ListAppender<ILoggingEvent>) context.getStore(NS).remove("appender");
    root().detachAppender(appender);
    List<ILoggingEvent> warnings =
        appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    if (!warnings.isEmpty()) {
      throw new AssertionError(
          "logged at WARN or above:\n"
              + warnings.stream()
                  .map(
                      e -> e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage())
                  .collect(Collectors.joining("\n")));
    }
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
