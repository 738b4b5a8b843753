package dev.switchboard.examples;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/** Switches the toolkit's and the clients' loggers between the quiet default and INFO. */
final class LogLevels {
  private static final String[] NOISY = {"dev.switchboard", "org.apache.kafka", "com.rabbitmq"};

  private LogLevels() {}

  /**
   * Raises the toolkit and client loggers to INFO; the default configuration keeps them at WARN.
   */
  static void verbose() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      // Another SLF4J binding is in charge; its own configuration decides.
      return;
    }
    for (String name : NOISY) {
      context.getLogger(name).setLevel(Level.INFO);
    }
  }
}
