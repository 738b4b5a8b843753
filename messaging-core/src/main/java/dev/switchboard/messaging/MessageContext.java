package dev.switchboard.messaging;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;

/**
 * What a handler knows about the message it is handling, beyond the decoded value. Valid only
 * during the handler call.
 */
public interface MessageContext {
  Envelope envelope();

  /** The topic or queue the message was received from. */
  String destination();

  /** The subscriber group; for a work queue, the queue's name. */
  String group();

  /** The delivery attempt, from 1. */
  default int attempt() {
    return envelope().attempt();
  }

  /**
   * The time left until the message's deadline, never negative; empty when it has none. A request
   * made from inside the handler inherits it.
   */
  Optional<Duration> remaining();

  /** The undecoded payload, read-only. */
  ByteBuffer payload();

  /**
   * The transport's native record, for the rare case that needs it (a Kafka {@code ConsumerRecord},
   * a RabbitMQ {@code Delivery}). Code using it is tied to that transport.
   *
   * @throws IllegalArgumentException if the record is not a {@code type}
   */
  <N> N unwrap(Class<N> type);
}
