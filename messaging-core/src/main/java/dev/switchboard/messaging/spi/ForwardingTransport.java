package dev.switchboard.messaging.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A transport that passes every call to another, for decorators: override {@link #wrap} to watch or
 * change what the core does with each delivery (usually with a {@link ForwardingDelivery}), or any
 * other method, and call {@code super} for the rest. The core sees the real transport's stages and
 * threads, so its behaviour is the real transport's.
 */
public class ForwardingTransport implements Transport {
  private final Transport transport;

  protected ForwardingTransport(Transport transport) {
    this.transport = Objects.requireNonNull(transport, "transport");
  }

  /** The transport calls are passed to. */
  protected final Transport delegate() {
    return transport;
  }

  /** What the core is handed for {@code delivery}; the delivery itself by default. */
  protected Delivery wrap(Delivery delivery) {
    return delivery;
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
    return transport.consume(spec, delivery -> handler.onDelivery(wrap(delivery)));
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
