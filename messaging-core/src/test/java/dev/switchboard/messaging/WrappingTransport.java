package dev.switchboard.messaging;

import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.DeliveryHandler;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.ReplyHandler;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A transport that forwards to another and hands the core each delivery wrapped by a function of
 * the test's, so that a test can observe or change what the core does with a delivery.
 */
final class WrappingTransport implements Transport {
  private final Transport transport;
  private final UnaryOperator<Delivery> wrap;
  final AtomicInteger deliveries = new AtomicInteger();

  WrappingTransport(Transport transport, UnaryOperator<Delivery> wrap) {
    this.transport = transport;
    this.wrap = wrap;
  }

  @Override
  public String name() {
    return transport.name();
  }

  @Override
  public Set<Capability> capabilities() {
    return transport.capabilities();
  }

  @Override
  public CompletableFuture<Void> send(Destination destination, WireMessage message) {
    return transport.send(destination, message);
  }

  @Override
  public CompletableFuture<Void> reply(String replyAddress, WireMessage message) {
    return transport.reply(replyAddress, message);
  }

  @Override
  public void declare(Destination destination) {
    transport.declare(destination);
  }

  @Override
  public TransportConsumer consume(ConsumerSpec spec, DeliveryHandler handler) {
    return transport.consume(
        spec,
        d -> {
          deliveries.incrementAndGet();
          return handler.onDelivery(wrap.apply(d));
        });
  }

  @Override
  public ReplyEndpoint openReplyEndpoint(ReplyHandler handler) {
    return transport.openReplyEndpoint(handler);
  }

  @Override
  public DeadLetterStore deadLetters(Destination destination, String group) {
    return transport.deadLetters(destination, group);
  }

  @Override
  public void close(Duration timeout) {
    transport.close(timeout);
  }
}
