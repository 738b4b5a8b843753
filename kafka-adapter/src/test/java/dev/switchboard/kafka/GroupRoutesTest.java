package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redelivery through a group's retry topics, on a real broker. */
@ExtendWith(BrokerExtension.class)
class GroupRoutesTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final List<Duration> LEVELS =
      List.of(Duration.ofSeconds(1), Duration.ofSeconds(3));

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @Test
  void retryTopic_isTheSmallestLevelNotShorterThanTheDelay_elseTheLongest() {
    GroupRoutes routes = new GroupRoutes("orders", "billing", LEVELS, null);

    assertThat(routes.retryTopic(Duration.ZERO)).isEqualTo("orders.billing.retry-1000ms");
    assertThat(routes.retryTopic(Duration.ofMillis(1500))).isEqualTo("orders.billing.retry-3000ms");
    assertThat(routes.retryTopic(Duration.ofSeconds(3))).isEqualTo("orders.billing.retry-3000ms");
    assertThat(routes.retryTopic(Duration.ofHours(1))).isEqualTo("orders.billing.retry-3000ms");
    assertThat(routes.deadLetterTopic()).isEqualTo("orders.billing.dlt");
    assertThat(routes.redriveTopic()).isEqualTo("orders.billing.redrive");
  }

  @Test
  void redeliver_onATopic_arrivesAfterTheDelayLevelAndOnlyInTheSameGroup(KafkaBroker broker)
      throws Exception {
    Destination topic = Destination.topic(Wire.unique("retry"));
    Map<Integer, Long> arrivals = new ConcurrentHashMap<>();
    Inbox failing =
        Inbox.settling(
            d -> {
              arrivals.put(d.message().envelope().attempt(), System.nanoTime());
              if (d.message().envelope().attempt() == 1) {
                return d.redeliver(next(d), Duration.ofMillis(2500));
              }
              return d.ack();
            });
    Inbox bystander = Inbox.acking();
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      t.consume(new ConsumerSpec(topic, Wire.unique("failing"), 1, 16, LEVELS), failing);
      t.consume(new ConsumerSpec(topic, Wire.unique("bystander"), 1, 16, LEVELS), bystander);
      t.send(topic, Wire.message("k", "payload")).get(30, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> failing.size() == 2);
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(arrivals.get(2) - arrivals.get(1));
      assertThat(waitedMs).isGreaterThanOrEqualTo(2500);
      Delivery again = failing.deliveries().get(1);
      assertThat(Inbox.body(again)).isEqualTo("payload");
      assertThat(again.message().envelope().key()).contains("k");
      assertThat(again.message().envelope().headers())
          .containsEntry(RecordCodec.ORIGIN_PARTITION, "0")
          .containsEntry(RecordCodec.ORIGIN_OFFSET, "0");
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(5))
          .until(() -> bystander.size() == 1);
      System.out.println("redelivery with level 3000 ms arrived after " + waitedMs + " ms");
    }
  }

  @Test
  void redeliver_onAQueue_arrivesAfterTheDelayThroughTheRetryTopic(KafkaBroker broker)
      throws Exception {
    String name = Wire.unique("retryq");
    Destination queue = Destination.queue(name);
    Map<Integer, Long> arrivals = new ConcurrentHashMap<>();
    Inbox inbox =
        Inbox.settling(
            d -> {
              arrivals.put(d.message().envelope().attempt(), System.nanoTime());
              return d.message().envelope().attempt() == 1
                  ? d.redeliver(next(d), Duration.ofSeconds(1))
                  : d.ack();
            });
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      t.consume(new ConsumerSpec(queue, name, 2, 16, LEVELS), inbox);
      t.send(queue, Wire.message(null, "job")).get(30, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> inbox.size() == 2);
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(arrivals.get(2) - arrivals.get(1));
      assertThat(waitedMs).isGreaterThanOrEqualTo(1000);
      assertThat(inbox.deliveries().get(0).brokerDeliveryCount()).isEqualTo(1);
      assertThat(inbox.deliveries().get(1).nativeRecord().toString()).contains(".retry-1000ms");
    }
  }

  private static dev.switchboard.messaging.spi.WireMessage next(Delivery d) {
    return d.message()
        .withEnvelope(
            d.message().envelope().toBuilder()
                .attempt(d.message().envelope().attempt() + 1)
                .build());
  }
}
