package dev.switchboard.examples;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the order service tells the world about an order. Each event is registered under its own
 * type name, so a subscriber can take them all as {@code OrderEvent} and switch on the record.
 */
sealed interface OrderEvent permits OrderEvent.Placed, OrderEvent.Paid, OrderEvent.Shipped {
  String orderId();

  /** The order's lifecycle step this event records; an order's events arrive in this order. */
  Step step();

  /** The steps of an order, in the order they happen. */
  enum Step {
    PLACED,
    PAID,
    SHIPPED
  }

  /** One product on an order. */
  record LineItem(String sku, int quantity, BigDecimal unitPrice) {
    public LineItem {
      Objects.requireNonNull(sku, "sku");
      if (quantity < 1) {
        throw new IllegalArgumentException("quantity must be >= 1, was " + quantity);
      }
      if (unitPrice.signum() < 0) {
        throw new IllegalArgumentException("unitPrice must not be negative, was " + unitPrice);
      }
    }

    BigDecimal total() {
      return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }
  }

  record Placed(String orderId, String customer, List<LineItem> items, Instant placedAt)
      implements OrderEvent {
    public Placed {
      Objects.requireNonNull(orderId, "orderId");
      Objects.requireNonNull(customer, "customer");
      items = List.copyOf(items);
      if (items.isEmpty()) {
        throw new IllegalArgumentException("an order needs at least one line item");
      }
      Objects.requireNonNull(placedAt, "placedAt");
    }

    BigDecimal total() {
      return items.stream().map(LineItem::total).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Override
    public Step step() {
      return Step.PLACED;
    }
  }

  record Paid(String orderId, BigDecimal amount, String paymentId, Instant paidAt)
      implements OrderEvent {
    public Paid {
      Objects.requireNonNull(orderId, "orderId");
      Objects.requireNonNull(amount, "amount");
      Objects.requireNonNull(paymentId, "paymentId");
      Objects.requireNonNull(paidAt, "paidAt");
    }

    @Override
    public Step step() {
      return Step.PAID;
    }
  }

  record Shipped(String orderId, String carrier, String trackingNumber, Instant shippedAt)
      implements OrderEvent {
    public Shipped {
      Objects.requireNonNull(orderId, "orderId");
      Objects.requireNonNull(carrier, "carrier");
      Objects.requireNonNull(trackingNumber, "trackingNumber");
      Objects.requireNonNull(shippedAt, "shippedAt");
    }

    @Override
    public Step step() {
      return Step.SHIPPED;
    }
  }
}
