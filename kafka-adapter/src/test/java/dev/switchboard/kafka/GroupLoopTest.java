package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Commit tracking, flow control and release of consumer group members, on a real broker. */
@ExtendWith(BrokerExtension.class)
class GroupLoopTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @Test
  void restartAfterAnUnsettledRecord_redeliversOnlyThatRecord(KafkaBroker broker) throws Exception {
    Destination topic = Destination.topic(Wire.unique("midbatch"));
    String group = Wire.unique("g");
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        sends.add(t.send(topic, Wire.message("k" + i, "m" + i)));
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      // m5 is never settled: its handler "crashes" before settling.
      Inbox first =
          Inbox.settling(d -> Inbox.body(d).equals("m5") ? new CompletableFuture<>() : d.ack());
      TransportConsumer c1 = t.consume(Wire.spec(topic, group, 4), first);
      await().atMost(PATIENCE).until(() -> first.size() == 10);
      await()
          .atMost(PATIENCE)
          .until(
              () ->
                  committed(broker, group, topic).map(OffsetAndMetadata::offset).orElse(-1L) == 5);
      OffsetAndMetadata mid = committed(broker, group, topic).orElseThrow();
      assertThat(mid.metadata()).isEqualTo("sb1:1-4");
      c1.close(Duration.ofSeconds(5));

      Inbox second = Inbox.acking();
      TransportConsumer c2 = t.consume(Wire.spec(topic, group, 4), second);
      await().atMost(PATIENCE).until(() -> second.size() >= 1);
      await()
          .atMost(PATIENCE)
          .until(
              () ->
                  committed(broker, group, topic).map(OffsetAndMetadata::offset).orElse(-1L) == 10);
      assertThat(second.bodies()).containsExactly("m5");
      c2.close();
    }
  }

  @Test
  void handlerHoldingItsThreadFor30s_causesNoRebalanceAndOtherKeysFlow(KafkaBroker broker)
      throws Exception {
    Destination topic = Destination.topic(Wire.unique("slow"));
    CountDownLatch slowStarted = new CountDownLatch(1);
    AtomicInteger slowDeliveries = new AtomicInteger();
    Map<String, Long> fastDoneAt = new ConcurrentHashMap<>();
    Inbox inbox =
        Inbox.settling(
            d -> {
              if (d.message().envelope().key().orElseThrow().equals("slow")) {
                slowDeliveries.incrementAndGet();
                slowStarted.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < end) {
                  LockSupport.parkNanos(end - System.nanoTime());
                }
              } else {
                fastDoneAt.put(Inbox.body(d), System.nanoTime());
              }
              return d.ack();
            });
    try (KafkaTransport t =
        Wire.transport(broker)
            .partitions(1)
            .consumerProperty("max.poll.interval.ms", "10000")
            .build()) {
      KafkaConsumerHandle c =
          (KafkaConsumerHandle) t.consume(Wire.spec(topic, Wire.unique("g"), 4), inbox);
      await().atMost(PATIENCE).until(() -> !c.groupLoop().assignment().isEmpty());
      int revocationsBefore = c.groupLoop().revocations();
      t.send(topic, Wire.message("slow", "slow")).get(30, TimeUnit.SECONDS);
      assertThat(slowStarted.await(30, TimeUnit.SECONDS)).isTrue();
      long slowStart = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        t.send(topic, Wire.message("fast-" + i, "fast-" + i));
      }

      await().atMost(PATIENCE).until(() -> fastDoneAt.size() == 20);
      long fastDoneMs =
          TimeUnit.NANOSECONDS.toMillis(
              fastDoneAt.values().stream().mapToLong(Long::longValue).max().orElseThrow()
                  - slowStart);
      await().atMost(PATIENCE).until(() -> inbox.size() == 21);
      await().atMost(PATIENCE).until(() -> c.groupLoop().commitPoint(tp(topic)) == 21);
      assertThat(c.groupLoop().revocations()).isEqualTo(revocationsBefore);
      assertThat(slowDeliveries).hasValue(1);
      assertThat(fastDoneMs).isLessThan(25_000);
      System.out.println("30 s handler: other keys done after " + fastDoneMs + " ms, no rebalance");
    }
  }

  @Test
  void release_deliversTheRecordAgainAndSkipsNothing(KafkaBroker broker) throws Exception {
    Destination topic = Destination.topic(Wire.unique("release"));
    AtomicInteger released = new AtomicInteger();
    Inbox inbox =
        Inbox.settling(
            d ->
                Inbox.body(d).equals("m2") && released.getAndIncrement() == 0
                    ? d.release()
                    : d.ack());
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      t.consume(Wire.spec(topic, Wire.unique("g"), 1), inbox);
      for (int i = 0; i < 6; i++) {
        t.send(topic, Wire.message("k", "m" + i)).get(30, TimeUnit.SECONDS);
      }

      await().atMost(PATIENCE).until(() -> inbox.size() == 7);
      assertThat(inbox.bodies()).containsExactly("m0", "m1", "m2", "m2", "m3", "m4", "m5");
      assertThat(inbox.deliveries()).extracting(Delivery::brokerDeliveryCount).containsOnly(0);
    }
  }

  @Test
  void fullPrefetch_resumesWhenRecordsSettle_notAfterAPollTimeout(KafkaBroker broker)
      throws Exception {
    // With two records allowed out and a 5 s poll timeout, a loop that waited out the timeout on
    // its paused partitions would need about 100 s for these 40 records.
    Destination topic = Destination.topic(Wire.unique("refill"));
    Inbox inbox = Inbox.acking();
    try (KafkaTransport t =
        Wire.transport(broker).partitions(1).pollTimeout(Duration.ofSeconds(5)).build()) {
      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        sends.add(t.send(topic, Wire.message("k", "m" + i)));
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      TransportConsumer c =
          t.consume(new ConsumerSpec(topic, Wire.unique("g"), 1, 2, List.of()), inbox);

      await().atMost(Duration.ofSeconds(30)).until(() -> inbox.size() == 40);
      assertThat(inbox.bodies()).first().isEqualTo("m0");
      assertThat(inbox.bodies()).last().isEqualTo("m39");
      c.close(Duration.ofSeconds(10));
    }
  }

  private static TopicPartition tp(Destination topic) {
    return new TopicPartition(topic.name(), 0);
  }

  private static java.util.Optional<OffsetAndMetadata> committed(
      KafkaBroker broker, String group, Destination topic) throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      return java.util.Optional.ofNullable(offsets.get(tp(topic)));
    }
  }
}
