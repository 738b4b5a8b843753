package dev.switchboard.rabbit.ledger;

import dev.switchboard.rabbit.RabbitTransport;
import dev.switchboard.testkit.ledger.LedgerChild;
import dev.switchboard.testkit.ledger.LedgerPlan;
import java.time.Duration;

/** The consumer process of {@link RabbitLedgerTest}: one RabbitMQ transport, one consumer. */
final class RabbitLedgerChild {
  private RabbitLedgerChild() {}

  public static void main(String[] args) {
    LedgerChild.run(args, RabbitLedgerChild::transport);
  }

  static RabbitTransport transport(LedgerPlan plan) {
    return RabbitTransport.builder()
        .uri(plan.transport().get(RabbitLedgerTest.URI))
        .connectionName("ledger-child-" + ProcessHandle.current().pid())
        .recoveryInterval(Duration.ofMillis(500))
        .build();
  }
}
