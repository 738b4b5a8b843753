package dev.switchboard.messaging.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A delivery that passes every call to another, for decorators that watch or change one call (fault
 * injection in tests, metrics). Subclasses override what they need and call {@code super} for the
 * rest, so that a method added to {@link Delivery} later still reaches the real delivery.
 */
public class ForwardingDelivery implements Delivery {
  private final Delivery delivery;

  protected ForwardingDelivery(Delivery delivery) {
    this.delivery = Objects.requireNonNull(delivery, "delivery");
  }

  /** The delivery calls are passed to. */
  protected final Delivery delegate() {
    return delivery;
  }

  @Override
  public WireMessage message() {
    return delivery.message();
  }

  @Override
  public List<String> problems() {
    return delivery.problems();
  }

  @Override
  public Object nativeRecord() {
    return delivery.nativeRecord();
  }

  @Override
  public int brokerDeliveryCount() {
    return delivery.brokerDeliveryCount();
  }

  @Override
  public void handlerFinished() {
    delivery.handlerFinished();
  }

  @Override
  public CompletionStage<Void> ack() {
    return delivery.ack();
  }

  @Override
  public CompletionStage<Void> release() {
    return delivery.release();
  }

  @Override
  public CompletionStage<Void> redeliver(WireMessage next, Duration delay) {
    return delivery.redeliver(next, delay);
  }

  @Override
  public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
    return delivery.deadLetter(deadLetter);
  }
}
