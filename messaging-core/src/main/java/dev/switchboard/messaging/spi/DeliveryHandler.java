package dev.switchboard.messaging.spi;

import java.util.concurrent.CompletionStage;

/**
 * The core's side of a consumer. The transport calls {@link #onDelivery} on its own consumer
 * thread, at most {@code concurrency} deliveries at a time (and, where the transport keeps order
 * per key, one delivery per key at a time). The returned stage completes when the delivery has been
 * settled; the transport uses it for flow control and commit tracking.
 *
 * <p>The handler never throws: failures are routed to retry or dead-letter inside the core.
 */
@FunctionalInterface
public interface DeliveryHandler {
  CompletionStage<Void> onDelivery(Delivery delivery);
}
