package dev.switchboard.examples;

import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.DeliveryHandler;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.ForwardingTransport;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The queues and exchanges that one run's RabbitMQ transports declare, so that the backend can
 * delete them when the run ends. Names follow the layout {@code RabbitTransport} documents: a topic
 * {@code T} is an exchange {@code T}; a group {@code G} of it is a queue {@code T.G}; a work queue
 * {@code Q} is a queue {@code Q}; each such queue {@code N} has {@code N.dlq} and one {@code
 * N.wait.<ms>ms} per redelivery delay of its consumers. Thread-safe.
 */
final class DeclaredTopology {
  private final Set<String> queues = new LinkedHashSet<>();
  private final Set<String> exchanges = new LinkedHashSet<>();

  /** {@code transport}, noting what each call makes it declare. */
  Transport watching(Transport transport) {
    return new Watching(transport);
  }

  synchronized List<String> queues() {
    return List.copyOf(queues);
  }

  synchronized List<String> exchanges() {
    return List.copyOf(exchanges);
  }

  synchronized void forget(List<String> deletedQueues, List<String> deletedExchanges) {
    deletedQueues.forEach(queues::remove);
    deletedExchanges.forEach(exchanges::remove);
  }

  /** A send or a declaration: a topic's exchange, or a work queue and its dead-letter queue. */
  private synchronized void used(Destination d) {
    if (d.kind() == Destination.Kind.TOPIC) {
      exchanges.add(d.name());
    } else {
      queues.add(d.name());
      queues.add(d.name() + ".dlq");
    }
  }

  /** A consumer: its group's queue, dead-letter queue and wait queues. */
  private synchronized void consumed(ConsumerSpec spec) {
    used(spec.destination());
    String queue = groupQueue(spec.destination(), spec.group());
    queues.add(queue);
    queues.add(queue + ".dlq");
    for (Duration delay : spec.redeliveryDelays()) {
      queues.add(queue + ".wait." + wholeMillis(delay) + "ms");
    }
  }

  static String groupQueue(Destination d, String group) {
    return d.kind() == Destination.Kind.TOPIC ? d.name() + "." + group : d.name();
  }

  /** A delay in whole milliseconds, rounded up and at least 1, as wait queues are named. */
  static long wholeMillis(Duration delay) {
    long millis = delay.toMillis() + (delay.toNanosPart() % 1_000_000 > 0 ? 1 : 0);
    return Math.max(1, millis);
  }

  private final class Watching extends ForwardingTransport {
    Watching(Transport delegate) {
      super(delegate);
    }

    @Override
    public CompletableFuture<Void> send(Destination destination, WireMessage message) {
      used(destination);
      return super.send(destination, message);
    }

    @Override
    public void declare(Destination destination) {
      used(destination);
      super.declare(destination);
    }

    @Override
    public TransportConsumer consume(ConsumerSpec spec, DeliveryHandler handler) {
      consumed(spec);
      return super.consume(spec, handler);
    }

    @Override
    public String toString() {
      return delegate().toString();
    }
  }
}
