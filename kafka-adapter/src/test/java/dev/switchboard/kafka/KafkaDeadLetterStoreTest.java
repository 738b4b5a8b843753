package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dead-letter topics: publishing, browsing and moving back, on a real broker. */
@ExtendWith(BrokerExtension.class)
class KafkaDeadLetterStoreTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @Test
  void deadLetter_landsInTheGroupsTopicWithKeyHeadersBodyAndOrigin(KafkaBroker broker)
      throws Exception {
    Destination topic = Destination.topic(Wire.unique("dlt"));
    String group = Wire.unique("g");
    CompletableFuture<Void> settled = new CompletableFuture<>();
    Inbox inbox =
        Inbox.settling(
            d -> {
              if (!Inbox.body(d).equals("poison")) {
                return d.ack();
              }
              WireMessage dead =
                  d.message()
                      .withEnvelope(
                          d.message().envelope().toBuilder()
                              .header("sb_failure_reason", "boom")
                              .build());
              return d.deadLetter(dead).whenComplete((v, e) -> settled.complete(null));
            });
    try (KafkaTransport t = Wire.transport(broker).partitions(2).build()) {
      t.consume(Wire.spec(topic, group, 2), inbox);
      t.send(topic, Wire.message("a", "fine")).get(30, TimeUnit.SECONDS);
      t.send(topic, Wire.message("b", "poison")).get(30, TimeUnit.SECONDS);
      settled.get(60, TimeUnit.SECONDS);
      Delivery poison =
          inbox.deliveries().stream().filter(d -> Inbox.body(d).equals("poison")).findFirst().get();
      @SuppressWarnings("unchecked")
      var origin =
          (org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>) poison.nativeRecord();

      DeadLetterStore store = t.deadLetters(topic, group);
      assertThat(store.count()).isEqualTo(1);
      WireMessage browsed = store.browse(10).get(0);
      assertThat(store.browse(10)).hasSize(1);
      assertThat(new String(browsed.body(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("poison");
      assertThat(browsed.envelope().key()).contains("b");
      assertThat(browsed.envelope().id()).isEqualTo(poison.message().envelope().id());
      assertThat(browsed.envelope().headers())
          .containsEntry("sb_failure_reason", "boom")
          .containsEntry(RecordCodec.ORIGIN_TOPIC, topic.name())
          .containsEntry(RecordCodec.ORIGIN_PARTITION, Integer.toString(origin.partition()))
          .containsEntry(RecordCodec.ORIGIN_OFFSET, Long.toString(origin.offset()));
    }
  }

  @Test
  void move_sendsBackToTheGroupOnly_andTheMovedLetterIsGoneFromTheStore(KafkaBroker broker)
      throws Exception {
    Destination topic = Destination.topic(Wire.unique("redrive"));
    String group = Wire.unique("g");
    Inbox inbox =
        Inbox.settling(
            d ->
                Inbox.body(d).startsWith("dead") && d.message().envelope().attempt() == 1
                    ? d.deadLetter(d.message())
                    : d.ack());
    Inbox other = Inbox.acking();
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      t.consume(Wire.spec(topic, group, 1), inbox);
      t.consume(Wire.spec(topic, Wire.unique("other"), 1), other);
      for (String body : new String[] {"dead-1", "dead-2", "dead-3"}) {
        t.send(topic, Wire.message("k", body)).get(30, TimeUnit.SECONDS);
      }
      DeadLetterStore store = t.deadLetters(topic, group);
      await().atMost(PATIENCE).until(() -> store.count() == 3);

      // Leave dead-1, move dead-2 and dead-3 back with attempt 2.
      int moved =
          store.move(
              10,
              m -> {
                String body = new String(m.body(), java.nio.charset.StandardCharsets.UTF_8);
                return body.equals("dead-1")
                    ? Optional.empty()
                    : Optional.of(m.withEnvelope(m.envelope().toBuilder().attempt(2).build()));
              });

      assertThat(moved).isEqualTo(2);
      assertThat(store.count()).isEqualTo(1);
      assertThat(store.browse(10))
          .extracting(m -> new String(m.body(), java.nio.charset.StandardCharsets.UTF_8))
          .containsExactly("dead-1");
      await().atMost(PATIENCE).until(() -> inbox.size() == 5);
      assertThat(inbox.bodies().subList(3, 5)).containsExactlyInAnyOrder("dead-2", "dead-3");
      assertThat(store.move(10, m -> Optional.empty())).isZero();
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(5))
          .until(() -> other.size() == 3);
      assertThat(other.bodies()).containsExactly("dead-1", "dead-2", "dead-3");
    }
  }
}
