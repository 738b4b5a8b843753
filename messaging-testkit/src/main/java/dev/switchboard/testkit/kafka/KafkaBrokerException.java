package dev.switchboard.testkit.kafka;

import java.io.Serial;

/**
 * A Kafka broker fixture could not be prepared, started, reached or stopped. The message says what
 * failed and, when a broker process was involved, ends with the tail of its log.
 */
public final class KafkaBrokerException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  KafkaBrokerException(String message) {
    super(message);
  }

  KafkaBrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
