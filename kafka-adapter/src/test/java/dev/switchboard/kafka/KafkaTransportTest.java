package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.DestinationNotFoundException;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.PayloadTooLargeException;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.AllowWarnings;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(BrokerExtension.class)
class KafkaTransportTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @Test
  void sendAndConsume_roundTripEveryEnvelopeFieldAndTheBody(KafkaBroker broker) throws Exception {
    Destination topic = Destination.topic(Wire.unique("roundtrip"));
    Envelope envelope =
        Envelope.builder()
            .id("id-\u00e9\u2713")
            .type("order.placed")
            .source("shop")
            .time(Instant.now().truncatedTo(ChronoUnit.MICROS))
            .key("customer-\u00fc")
            .correlationId("corr \u0416 \ud83d\ude00")
            .causationId("cause-1")
            .replyTo("sb.reply.x")
            .deadline(Instant.now().plusSeconds(60))
            .attempt(3)
            .header("tenant", "\u00e5\u00e4\u00f6")
            .header("empty", "")
            .contentType("application/x-test")
            .build();
    byte[] body = {0, 1, 2, (byte) 0xff, (byte) 0xfe};
    try (KafkaTransport t = Wire.transport(broker).build()) {
      Inbox inbox = Inbox.acking();
      TransportConsumer c = t.consume(Wire.spec(topic, "g", 1), inbox);
      t.send(topic, new WireMessage(envelope, body)).get(30, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> inbox.size() == 1);
      Delivery d = inbox.deliveries().get(0);
      assertThat(d.message().envelope()).isEqualTo(envelope);
      assertThat(d.message().body()).containsExactly(body);
      assertThat(d.problems()).isEmpty();
      assertThat(d.nativeRecord()).isInstanceOf(ConsumerRecord.class);
      @SuppressWarnings("unchecked")
      ConsumerRecord<byte[], byte[]> record = (ConsumerRecord<byte[], byte[]>) d.nativeRecord();
      assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("customer-\u00fc");
      assertThat(record.headers().lastHeader("sb_key")).isNull();
      c.close();
    }
  }

  @Test
  void headerThatIsNotUtf8_becomesAProblemNotACrash(KafkaBroker broker) throws Exception {
    Destination topic = Destination.topic(Wire.unique("badheader"));
    try (KafkaTransport t = Wire.transport(broker).build()) {
      t.declare(topic);
      Inbox inbox = Inbox.acking();
      t.consume(Wire.spec(topic, "g", 1), inbox);
      Map<String, Object> config = broker.clientConfig();
      try (KafkaProducer<byte[], byte[]> plain =
          new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(topic.name(), null, "k".getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_type", new byte[] {(byte) 0xc3, (byte) 0x28});
        r.headers().add("plain", "fine".getBytes(StandardCharsets.UTF_8));
        plain.send(r).get(30, TimeUnit.SECONDS);
      }

      await().atMost(PATIENCE).until(() -> inbox.size() == 1);
      Delivery d = inbox.deliveries().get(0);
      assertThat(d.problems()).singleElement().asString().contains("ce_type");
      assertThat(d.message().envelope().headers()).containsEntry("plain", "fine");
      assertThat(d.message().envelope().key()).isEmpty();
    }
  }

  @Test
  void aRecordWithoutAnId_keepsTheSameIdWhenItIsDeliveredAgain(KafkaBroker broker)
      throws Exception {
    Destination topic = Destination.topic(Wire.unique("noid"));
    try (KafkaTransport t = Wire.transport(broker).build()) {
      t.declare(topic);
      AtomicInteger seen = new AtomicInteger();
      // The first delivery is given back, so the consumer reads the record a second time.
      Inbox inbox = Inbox.settling(d -> seen.getAndIncrement() == 0 ? d.release() : d.ack());
      t.consume(Wire.spec(topic, "g", 1), inbox);
      try (KafkaProducer<byte[], byte[]> plain =
          new KafkaProducer<>(
              broker.clientConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
        plain
            .send(new ProducerRecord<>(topic.name(), "{}".getBytes(StandardCharsets.UTF_8)))
            .get(30, TimeUnit.SECONDS);
      }

      await().atMost(PATIENCE).until(() -> inbox.size() == 2);
      String first = inbox.deliveries().get(0).message().envelope().id();
      assertThat(inbox.deliveries().get(1).message().envelope().id()).isEqualTo(first);
      assertThat(UUID.fromString(first)).hasToString(first);
    }
  }

  @Test
  void twoGroups_eachReceiveEveryMessage(KafkaBroker broker) throws Exception {
    Destination topic = Destination.topic(Wire.unique("fanout"));
    try (KafkaTransport t = Wire.transport(broker).partitions(2).build()) {
      Inbox billing = Inbox.acking();
      Inbox shipping = Inbox.acking();
      t.consume(Wire.spec(topic, Wire.unique("billing"), 2), billing);
      t.consume(Wire.spec(topic, Wire.unique("shipping"), 2), shipping);
      sendAll(t, topic, 50);

      await().atMost(PATIENCE).until(() -> billing.size() >= 50 && shipping.size() >= 50);
      assertThat(new HashSet<>(billing.bodies())).hasSize(50);
      assertThat(new HashSet<>(shipping.bodies())).isEqualTo(new HashSet<>(billing.bodies()));
    }
  }

  @Test
  void twoConsumersInOneGroup_eachMessageGoesToOneOfThem(KafkaBroker broker) throws Exception {
    Destination topic = Destination.topic(Wire.unique("compete"));
    String group = Wire.unique("workers");
    try (KafkaTransport t = Wire.transport(broker).partitions(2).build()) {
      Inbox first = Inbox.acking();
      Inbox second = Inbox.acking();
      KafkaConsumerHandle a = (KafkaConsumerHandle) t.consume(Wire.spec(topic, group, 2), first);
      KafkaConsumerHandle b = (KafkaConsumerHandle) t.consume(Wire.spec(topic, group, 2), second);
      // Wait until the input topic's two partitions are split between the members.
      await()
          .atMost(PATIENCE)
          .until(() -> inputPartitions(a, topic) == 1 && inputPartitions(b, topic) == 1);
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        keys.add("key-" + i);
      }
      for (String k : keys) {
        t.send(topic, Wire.message(k, k));
      }

      await().atMost(PATIENCE).until(() -> first.size() + second.size() >= 100);
      List<String> all = new ArrayList<>(first.bodies());
      all.addAll(second.bodies());
      assertThat(all)
          .hasSize(100)
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(keys);
      assertThat(first.size()).isPositive();
      assertThat(second.size()).isPositive();
    }
  }

  @Test
  void sameKeyInOrder_differentKeysInParallel_concurrency8OnTwoPartitions(KafkaBroker broker)
      throws Exception {
    Destination topic = Destination.topic(Wire.unique("order"));
    int keys = 16;
    int perKey = 40;
    AtomicInteger inHandler = new AtomicInteger();
    AtomicInteger maxInHandler = new AtomicInteger();
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    Set<String> busyKeys = ConcurrentHashMap.newKeySet();
    AtomicInteger overlapsOnOneKey = new AtomicInteger();
    Inbox inbox =
        Inbox.settling(
            d -> {
              String key = d.message().envelope().key().orElseThrow();
              if (!busyKeys.add(key)) {
                overlapsOnOneKey.incrementAndGet();
              }
              maxInHandler.accumulateAndGet(inHandler.incrementAndGet(), Math::max);
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
              seen.computeIfAbsent(key, k -> new ArrayList<>())
                  .add(Integer.parseInt(Inbox.body(d).split(":")[1]));
              inHandler.decrementAndGet();
              busyKeys.remove(key);
              return d.ack();
            });
    try (KafkaTransport t = Wire.transport(broker).partitions(2).build()) {
      t.consume(Wire.spec(topic, Wire.unique("ordered"), 8), inbox);
      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (int i = 0; i < perKey; i++) {
        for (int k = 0; k < keys; k++) {
          sends.add(t.send(topic, Wire.message("k" + k, "k" + k + ":" + i)));
        }
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> inbox.size() >= keys * perKey);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < perKey; i++) {
        expected.add(i);
      }
      assertThat(seen).hasSize(keys);
      seen.forEach((k, list) -> assertThat(list).as("order of key %s", k).isEqualTo(expected));
      assertThat(overlapsOnOneKey).hasValue(0);
      assertThat(maxInHandler.get()).isGreaterThan(2).isLessThanOrEqualTo(8);
      System.out.println("per-key order: max in handler at once " + maxInHandler.get());
    }
  }

  @Test
  void send_toMissingTopicWithCreationNone_failsNamingTheTopic(KafkaBroker broker) {
    Destination missing = Destination.topic(Wire.unique("missing"));
    try (KafkaTransport t = Wire.transport(broker).topicCreation(TopicCreation.NONE).build()) {
      CompletableFuture<Void> f = t.send(missing, Wire.message("k", "v"));

      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(DestinationNotFoundException.class)
          .hasMessageContaining(missing.name())
          .satisfies(
              e ->
                  assertThat(((DestinationNotFoundException) e).destination())
                      .isEqualTo(missing.name()));
    }
  }

  @Test
  void consume_withCreationNoneAndAMissingRetryTopic_failsNamingThatTopic(KafkaBroker broker) {
    Destination topic = Destination.topic(Wire.unique("strict"));
    try (KafkaTransport creator = Wire.transport(broker).build();
        KafkaTransport strict = Wire.transport(broker).topicCreation(TopicCreation.NONE).build()) {
      creator.declare(topic);
      strict.declare(topic);

      assertThatThrownBy(() -> strict.consume(Wire.spec(topic, "g", 1), Inbox.acking()))
          .isInstanceOf(DestinationNotFoundException.class)
          .hasMessageContaining(topic.name() + ".g.");
    }
  }

  @Test
  void send_recordOverTheProducerLimit_failsWithPayloadTooLarge(KafkaBroker broker) {
    Destination topic = Destination.topic(Wire.unique("large"));
    try (KafkaTransport t =
        Wire.transport(broker).producerProperty("max.request.size", "10000").build()) {
      WireMessage big = new WireMessage(Envelope.builder().build(), new byte[20_000]);
      CompletableFuture<Void> f = t.send(topic, big);

      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(PayloadTooLargeException.class)
          .hasMessageContaining(topic.name());
    }
  }

  @Test
  void send_recordOverTheTopicsLimit_namesTheBrokersLimitAndKeepsItsError(KafkaBroker broker)
      throws Exception {
    Destination topic = Destination.topic(Wire.unique("small-topic"));
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(broker.clientConfig())) {
      admin
          .createTopics(
              List.of(
                  new org.apache.kafka.clients.admin.NewTopic(topic.name(), 1, (short) 1)
                      .configs(Map.of("max.message.bytes", "1024"))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (KafkaTransport t = Wire.transport(broker).build()) {
      WireMessage big = new WireMessage(Envelope.builder().build(), new byte[4_000]);
      CompletableFuture<Void> f = t.send(topic, big);

      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(PayloadTooLargeException.class)
          .hasMessageContaining(topic.name())
          .hasMessageContaining("max.message.bytes")
          .hasMessageNotContaining("maxPayloadBytes")
          .hasCauseInstanceOf(org.apache.kafka.common.errors.RecordTooLargeException.class)
          .satisfies(e -> assertThat(((PayloadTooLargeException) e).limit()).isEqualTo(-1));
    }
  }

  @Test
  @AllowWarnings("clients report the broker outage while it restarts")
  void brokerRestart_sendsAndConsumptionCarryOn() throws Exception {
    Destination topic = Destination.topic(Wire.unique("restart"));
    try (KafkaBroker own = KafkaBroker.builder().build().start();
        KafkaTransport t = Wire.transport(own).build()) {
      Inbox inbox = Inbox.acking();
      TransportConsumer c = t.consume(Wire.spec(topic, "g", 2), inbox);
      t.send(topic, Wire.message("k", "before")).get(30, TimeUnit.SECONDS);
      await().atMost(PATIENCE).until(() -> inbox.size() == 1);

      own.restart();
      t.send(topic, Wire.message("k", "after")).get(60, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> inbox.bodies().contains("after"));
      assertThat(inbox.bodies()).startsWith("before").contains("after");
      assertThat(c.failed()).isFalse();
      c.close();
    }
  }

  private static int inputPartitions(KafkaConsumerHandle h, Destination topic) {
    return (int)
        h.groupLoop().assignment().stream().filter(tp -> tp.topic().equals(topic.name())).count();
  }

  private static void sendAll(KafkaTransport t, Destination topic, int n) throws Exception {
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sends.add(t.send(topic, Wire.message("key-" + (i % 7), "m" + i)));
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
  }
}
