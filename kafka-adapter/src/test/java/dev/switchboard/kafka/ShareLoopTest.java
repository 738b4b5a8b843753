package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Work queues on share groups, against a real broker. */
@ExtendWith(BrokerExtension.class)
class ShareLoopTest {
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @Test
  void threeShareConsumersOnOnePartition_handle300JobsEachExactlyOnce(KafkaBroker broker)
      throws Exception {
    String name = Wire.unique("jobs");
    Destination queue = Destination.queue(name);
    Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    List<AtomicInteger> perConsumer =
        List.of(new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      List<TransportConsumer> consumers = new ArrayList<>();
      for (AtomicInteger count : perConsumer) {
        consumers.add(
            t.consume(
                Wire.spec(queue, name, 4),
                Inbox.settling(
                    d -> {
                      handled
                          .computeIfAbsent(Inbox.body(d), k -> new AtomicInteger())
                          .incrementAndGet();
                      count.incrementAndGet();
                      return d.ack();
                    })));
      }
      long start = System.nanoTime();
      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        sends.add(t.send(queue, Wire.message(null, "job-" + i)));
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> handled.size() == 300);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // No late duplicates either: the count stays at one per job for a while.
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(10))
          .until(() -> handled.values().stream().allMatch(c -> c.get() == 1));
      assertThat(perConsumer.stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(300);
      System.out.println("300 jobs in " + ms + " ms, per consumer " + perConsumer);
    }
  }

  @Test
  void release_deliversAgainWithAHigherBrokerDeliveryCount(KafkaBroker broker) throws Exception {
    String name = Wire.unique("release");
    Destination queue = Destination.queue(name);
    Inbox inbox = Inbox.settling(d -> d.brokerDeliveryCount() == 1 ? d.release() : d.ack());
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      t.consume(Wire.spec(queue, name, 1), inbox);
      t.send(queue, Wire.message(null, "again")).get(30, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> inbox.size() == 2);
      assertThat(inbox.deliveries())
          .extracting(Delivery::brokerDeliveryCount)
          .containsExactly(1, 2);
      assertThat(inbox.bodies()).containsExactly("again", "again");
    }
  }

  @Test
  void handlerLongerThanTheLock_renewsItAndIsNotDeliveredTwice(KafkaBroker broker)
      throws Exception {
    String name = Wire.unique("slowjob");
    Destination queue = Destination.queue(name);
    setGroupConfig(broker, name, "share.record.lock.duration.ms", "2000");
    AtomicInteger deliveries = new AtomicInteger();
    CountDownLatch acked = new CountDownLatch(1);
    Inbox inbox =
        Inbox.settling(
            d -> {
              deliveries.incrementAndGet();
              // Holds the worker for three lock durations.
              parkMillis(6_000);
              return d.ack().whenComplete((v, e) -> acked.countDown());
            });
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      t.consume(Wire.spec(queue, name, 2), inbox);
      t.send(queue, Wire.message(null, "slow")).get(30, TimeUnit.SECONDS);

      assertThat(acked.await(60, TimeUnit.SECONDS)).isTrue();
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> deliveries.get() == 1);
      assertThat(inbox.deliveries().get(0).brokerDeliveryCount()).isEqualTo(1);
    }
  }

  private static void setGroupConfig(KafkaBroker broker, String group, String key, String value)
      throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      ConfigResource r = new ConfigResource(ConfigResource.Type.GROUP, group);
      AlterConfigOp op = new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
      admin.incrementalAlterConfigs(Map.of(r, List.of(op))).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static void parkMillis(long ms) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (System.nanoTime() < end) {
      java.util.concurrent.locks.LockSupport.parkNanos(end - System.nanoTime());
    }
  }
}
