package dev.switchboard.messaging.spi;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A way of moving messages between processes. Implementations: the in-memory transport in the core,
 * Kafka and RabbitMQ in their adapters. All methods are thread-safe.
 *
 * <p>The contract each implementation proves by passing the conformance kit:
 *
 * <ul>
 *   <li>{@link #send} completes only when the broker has durably accepted the message (for Kafka,
 *       acknowledged by all in-sync replicas; for RabbitMQ, confirmed), and fails with a {@code
 *       PublishException} subtype otherwise. Sends are pipelined, never one round trip per message.
 *   <li>A {@link Destination.Kind#TOPIC} gives each group every message; a {@link
 *       Destination.Kind#QUEUE} gives each message to one consumer.
 *   <li>Delivery is at-least-once: an unsettled message is delivered again after a consumer crash
 *       or close.
 * </ul>
 */
public interface Transport extends AutoCloseable {
  /** A short name for logs and docs, such as {@code kafka}. */
  String name();

  Set<Capability> capabilities();

  /** Publish to a topic or queue; see the class contract. */
  CompletableFuture<Void> send(Destination destination, WireMessage message);

  /** Send a reply to an address taken from a request's {@code replyTo}. */
  CompletableFuture<Void> reply(String replyAddress, WireMessage message);

  /** Make sure the destination exists, creating it where the transport is allowed to. */
  default void declare(Destination destination) {}

  /** Start consuming; deliveries go to {@code handler} until the consumer is closed. */
  TransportConsumer consume(ConsumerSpec spec, DeliveryHandler handler);

  /** Open this process's reply address. */
  ReplyEndpoint openReplyEndpoint(ReplyHandler handler);

  /** The dead-letter destination of one group on one destination. */
  DeadLetterStore deadLetters(Destination destination, String group);

  /** Flush pending sends and close connections, waiting at most {@code timeout}. */
  void close(Duration timeout);

  @Override
  default void close() {
    close(Duration.ofSeconds(10));
  }
}
