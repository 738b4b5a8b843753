package dev.switchboard.testkit.rabbit;

import java.io.Serial;

/**
 * A RabbitMQ fixture could not reach, start or stop a broker. The message says what failed and,
 * when a private node was involved, ends with the tail of its logs.
 */
public final class RabbitBrokerException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  RabbitBrokerException(String message) {
    super(message);
  }

  RabbitBrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
