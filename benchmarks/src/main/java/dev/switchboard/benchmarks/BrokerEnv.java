package dev.switchboard.benchmarks;

import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.spi.Destination;

/**
 * One broker as the generic scenarios see it: the toolkit on it, the raw client on it, and the few
 * places where the two brokers differ (names, topology, clean-up).
 */
interface BrokerEnv extends AutoCloseable {
  /** {@code kafka} or {@code rabbitmq}; the prefix of every scenario name. */
  String name();

  /** The toolkit on this broker, JSON codec, {@link Sample} registered. */
  Messaging messaging();

  RawClient raw();

  /** A destination name used by no earlier run, remembered for clean-up. */
  Destination fresh(Destination.Kind kind, String what);

  /** Makes a destination ready for the raw client's sends and consumers. */
  void prepareRaw(Destination destination) throws Exception;

  /**
   * Makes a destination ready for the toolkit's sends: on RabbitMQ a topic needs a bound group
   * queue, or every publish is unroutable.
   */
  void prepareToolkit(Destination destination) throws Exception;

  /** Drops what a publish run left in the broker, so that queues do not grow across runs. */
  void afterPublish(Destination destination) throws Exception;

  /** How far a publisher may run ahead of confirmations: the transport's confirm window. */
  int publishWindow();

  /** How many messages a consumer may hold unsettled, on both sides. */
  int prefetch();

  /** Scales the profile's broker message count to this broker's speed. */
  int messages(Profile profile);
}
