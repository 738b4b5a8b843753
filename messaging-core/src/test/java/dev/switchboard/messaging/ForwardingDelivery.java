package dev.switchboard.messaging;

import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** A delivery that forwards every call to another; tests override the calls they observe. */
class ForwardingDelivery implements Delivery {
  private final Delivery delivery;

  ForwardingDelivery(Delivery delivery) {
    this.delivery = delivery;
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
