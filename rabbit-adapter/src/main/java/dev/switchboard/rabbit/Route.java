package dev.switchboard.rabbit;

import dev.switchboard.messaging.DestinationNotFoundException;
import dev.switchboard.messaging.spi.Destination;

/**
 * Where one publish goes: an exchange and routing key, whether the broker must return it when no
 * queue takes it ({@code mandatory}), and what to tell the caller then. Messages are built only on
 * the failure path.
 *
 * <p>Replies to a direct reply-to address are not mandatory: RabbitMQ (3.10 at least) returns them
 * as unroutable even when it delivers them, so a return says nothing there. A reply to a requester
 * that has gone is dropped by the broker and its request times out.
 */
record Route(String exchange, String routingKey, boolean mandatory, Kind kind, String name) {
  private static final String DIRECT_REPLY_PREFIX = "amq.rabbitmq.reply-to.";

  /** What the route points at, for messages. */
  enum Kind {
    TOPIC,
    QUEUE,
    GROUP_QUEUE,
    WAIT_QUEUE,
    DEAD_LETTER_QUEUE,
    REPLY
  }

  static Route of(Destination destination) {
    return destination.kind() == Destination.Kind.TOPIC
        ? new Route(destination.name(), "", true, Kind.TOPIC, destination.name())
        : new Route("", destination.name(), true, Kind.QUEUE, destination.name());
  }

  /** A queue reached through the default exchange. */
  static Route queue(String queue, Kind kind) {
    return new Route("", queue, true, kind, queue);
  }

  static Route reply(String address) {
    return new Route("", address, !address.startsWith(DIRECT_REPLY_PREFIX), Kind.REPLY, address);
  }

  String describe() {
    return switch (kind) {
      case TOPIC -> "topic '" + name + "'";
      case QUEUE -> "queue '" + name + "'";
      case GROUP_QUEUE -> "group queue '" + name + "'";
      case WAIT_QUEUE -> "wait queue '" + name + "'";
      case DEAD_LETTER_QUEUE -> "dead-letter queue '" + name + "'";
      case REPLY -> "reply address '" + name + "'";
    };
  }

  /** The failure for a message the broker returned as unroutable. */
  DestinationNotFoundException unroutable(String brokerText) {
    String message =
        switch (kind) {
          case TOPIC ->
              "topic '"
                  + name
                  + "' has no subscriber group yet: no queue is bound to its exchange, so the"
                  + " message was not stored; start a consumer group on the topic first";
          case QUEUE ->
              "queue '"
                  + name
                  + "' does not exist any more (it was deleted after this transport declared"
                  + " it), so the message was not stored; a running consumer of the queue"
                  + " declares it again, otherwise reopen the transport";
          case REPLY ->
              "no queue named '"
                  + name
                  + "' takes replies: the requester's reply queue does not exist (any more);"
                  + " the reply was dropped";
          case GROUP_QUEUE, WAIT_QUEUE, DEAD_LETTER_QUEUE ->
              describe()
                  + " does not exist (was it deleted while in use?), so the message was not"
                  + " stored; restart the consumer to declare it again";
        };
    return new DestinationNotFoundException(name, message + " (broker: " + brokerText + ")");
  }
}
