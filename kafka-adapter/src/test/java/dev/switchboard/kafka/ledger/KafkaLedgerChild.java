package dev.switchboard.kafka.ledger;

import dev.switchboard.kafka.KafkaTransport;
import dev.switchboard.testkit.ledger.LedgerChild;
import dev.switchboard.testkit.ledger.LedgerPlan;
import java.time.Duration;

/** The consumer process of {@link KafkaLedgerTest}: one Kafka transport, one consumer. */
final class KafkaLedgerChild {
  private KafkaLedgerChild() {}

  public static void main(String[] args) {
    LedgerChild.run(args, KafkaLedgerChild::transport);
  }

  static KafkaTransport transport(LedgerPlan plan) {
    return KafkaTransport.builder()
        .bootstrapServers(plan.transport().get(KafkaLedgerTest.BOOTSTRAP))
        .clientId("ledger-child-" + ProcessHandle.current().pid())
        .partitions(KafkaLedgerTest.PARTITIONS)
        .deliveryTimeout(Duration.ofSeconds(30))
        // Short, so that the planned stall outlasts it: the poll loop must keep polling.
        .consumerProperty(
            "max.poll.interval.ms", Long.toString(KafkaLedgerTest.MAX_POLL_INTERVAL.toMillis()))
        .build();
  }
}
