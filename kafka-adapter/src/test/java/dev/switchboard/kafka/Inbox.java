package dev.switchboard.kafka;

import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.DeliveryHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A handler that keeps every delivery and settles it as told. */
final class Inbox implements DeliveryHandler {
  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final Function<Delivery, CompletionStage<Void>> settle;

  private Inbox(Function<Delivery, CompletionStage<Void>> settle) {
    this.settle = settle;
  }

  static Inbox acking() {
    return new Inbox(Delivery::ack);
  }

  static Inbox settling(Function<Delivery, CompletionStage<Void>> settle) {
    return new Inbox(settle);
  }

  @Override
  public CompletionStage<Void> onDelivery(Delivery delivery) {
    // Recorded after the settling function ran, so that a test waiting for size() == n also sees
    // whatever the function recorded for the n-th delivery.
    try {
      return settle.apply(delivery);
    } finally {
      deliveries.add(delivery);
    }
  }

  List<Delivery> deliveries() {
    return deliveries;
  }

  int size() {
    return deliveries.size();
  }

  List<String> bodies() {
    return deliveries.stream().map(Inbox::body).toList();
  }

  static String body(Delivery d) {
    return new String(d.message().body(), StandardCharsets.UTF_8);
  }
}
