package dev.switchboard.examples;

import java.math.BigDecimal;
import java.util.Objects;

/** The messages between the pricing client, the quote service and the tax service. */
final class Pricing {
  private Pricing() {}

  /** Asks for the price of {@code quantity} units of {@code sku}, delivered to {@code region}. */
  record QuoteRequest(String sku, int quantity, String region) {
    QuoteRequest {
      Objects.requireNonNull(sku, "sku");
      Objects.requireNonNull(region, "region");
      if (quantity < 1) {
        throw new IllegalArgumentException("quantity must be >= 1, was " + quantity);
      }
    }
  }

  /**
   * A priced request.
   *
   * @param correlationId the correlation id the service saw on the request, echoed so that the
   *     client can check it got the answer to its own question
   * @param budgetMillis the time the quote service had left when it started on the request
   * @param taxBudgetMillis the time the tax service had left for the nested call
   */
  record Quote(
      String sku,
      int quantity,
      BigDecimal unitPrice,
      BigDecimal subtotal,
      BigDecimal tax,
      BigDecimal total,
      String correlationId,
      long budgetMillis,
      long taxBudgetMillis) {}

  /** Asks the tax service for the tax on {@code amount} in {@code region}. */
  record TaxRequest(BigDecimal amount, String region) {}

  /**
   * @param budgetMillis the time the tax service had left when it started on the request
   */
  record TaxAnswer(BigDecimal tax, BigDecimal rate, long budgetMillis) {}
}
