package dev.switchboard.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class KafkaBrokerTest {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerTest.class);
  private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void testJvmClasspathHoldsNoKafkaServerOrScalaJars() {
    assertThat(System.getProperty("java.class.path"))
        .contains("kafka-clients")
        .doesNotContain("kafka_2.13")
        .doesNotContain("scala-library");
  }

  @Test
  void privateBroker_servesConsumerAndShareGroups_andKeepsDataAcrossRestart() throws Exception {
    String topic = "orders-" + UUID.randomUUID();
    String shareGroup = "share-" + UUID.randomUUID();
    try (KafkaBroker broker = KafkaBroker.builder().build()) {
      long begin = System.nanoTime();
      broker.start();
      long started = System.nanoTime();
      assertThat(broker.isRunning()).isTrue();
      assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");

      try (Admin admin = Admin.create(broker.clientConfig())) {
        admin
            .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
        AlterConfigOp earliest =
            new AlterConfigOp(
                new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET);
        admin
            .incrementalAlterConfigs(
                Map.of(
                    new ConfigResource(ConfigResource.Type.GROUP, shareGroup), List.of(earliest)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      produce(broker, topic, "hello");
      long produced = System.nanoTime();

      assertThat(consumeOne(broker, topic, "group-a")).isEqualTo("hello");
      long consumed = System.nanoTime();
      assertThat(shareConsumeOne(broker, topic, shareGroup)).isEqualTo("hello");
      long shareConsumed = System.nanoTime();

      broker.restart();
      long restarted = System.nanoTime();
      assertThat(broker.isRunning()).isTrue();
      assertThat(consumeOne(broker, topic, "group-b")).isEqualTo("hello");
      try (Admin admin = Admin.create(broker.clientConfig())) {
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin
                .listConsumerGroupOffsets("group-a")
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        assertThat(offsets.get(new TopicPartition(topic, 0)).offset()).isEqualTo(1);
      }
      LOG.info(
          "Kafka timings: start {} ms, create+produce {} ms, consumer group {} ms, share group {}"
              + " ms, restart {} ms",
          millis(begin, started),
          millis(started, produced),
          millis(produced, consumed),
          millis(consumed, shareConsumed),
          millis(shareConsumed, restarted));
    }
  }

  @Test
  void kill_thenRestart_recoversAcknowledgedRecords() throws Exception {
    String topic = "payments-" + UUID.randomUUID();
    try (KafkaBroker broker = KafkaBroker.builder().build()) {
      broker.start();
      String address = broker.bootstrapServers();
      try (Admin admin = Admin.create(broker.clientConfig())) {
        admin
            .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      produce(broker, topic, "survives");
      try (KafkaBroker external = KafkaBroker.external(address)) {
        assertThat(external.start().isRunning()).isTrue();
      }

      long begin = System.nanoTime();
      broker.kill();
      assertThat(broker.isRunning()).isFalse();
      broker.restart();
      LOG.info("Kafka restart after SIGKILL: {} ms", millis(begin, System.nanoTime()));

      assertThat(broker.bootstrapServers()).isEqualTo(address);
      assertThat(consumeOne(broker, topic, "group-after-kill")).isEqualTo("survives");
    }
  }

  @Test
  void start_withInvalidBrokerConfig_failsWithTheLogTail() {
    try (KafkaBroker broker =
        KafkaBroker.builder().brokerProperty("num.network.threads", "0").build()) {
      assertThatThrownBy(broker::start)
          .isInstanceOf(KafkaBrokerException.class)
          .hasMessageContaining("num.network.threads");
      assertThat(broker.isRunning()).isFalse();
    }
  }

  @Test
  void builder_rejectsFixtureOwnedAndRepeatedSettings() {
    assertThatThrownBy(() -> KafkaBroker.builder().brokerProperty("listeners", "PLAINTEXT://:9092"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listeners");
    assertThatThrownBy(
            () -> KafkaBroker.builder().brokerProperty("auto.create.topics.enable", "true"))
        .hasMessageContaining("autoCreateTopics()");
    assertThatThrownBy(
            () ->
                KafkaBroker.builder()
                    .brokerProperty("num.io.threads", "2")
                    .brokerProperty("num.io.threads", "4"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'2'")
        .hasMessageContaining("'4'");
    assertThatThrownBy(
            () ->
                KafkaBroker.builder()
                    .startupTimeout(Duration.ofSeconds(5))
                    .startupTimeout(Duration.ofSeconds(9)))
        .hasMessageContaining("PT5S")
        .hasMessageContaining("PT9S");
    assertThatThrownBy(() -> KafkaBroker.builder().shutdownTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bootstrapServers_beforeFirstStart_fails() {
    try (KafkaBroker broker = KafkaBroker.builder().build()) {
      assertThatThrownBy(broker::bootstrapServers).isInstanceOf(IllegalStateException.class);
      assertThat(broker.isRunning()).isFalse();
    }
  }

  @Test
  void externalCluster_refusesLifecycleCalls() {
    KafkaBroker external = KafkaBroker.external("127.0.0.1:9092");
    assertThat(external.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(external.isRunning()).isFalse();
    assertThatThrownBy(external::kill)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("KafkaBroker.builder()");
    assertThatThrownBy(external::restart).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(external::stop).isInstanceOf(UnsupportedOperationException.class);
  }

  private static void produce(KafkaBroker broker, String topic, String value) throws Exception {
    Map<String, Object> config = broker.clientConfig();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "key", value)).get(30, TimeUnit.SECONDS);
    }
  }

  private static String consumeOne(KafkaBroker broker, String topic, String group) {
    Map<String, Object> config = broker.clientConfig();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<String> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      await()
          .pollInSameThread()
          .atMost(DELIVERY_TIMEOUT)
          .untilAsserted(
              () -> {
                for (ConsumerRecord<String, String> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  received.add(record.value());
                }
                assertThat(received).isNotEmpty();
              });
      consumer.commitSync();
    }
    assertThat(received).hasSize(1);
    return received.get(0);
  }

  private static String shareConsumeOne(KafkaBroker broker, String topic, String group) {
    Map<String, Object> config = broker.clientConfig();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    List<String> received = new ArrayList<>();
    try (KafkaShareConsumer<String, String> consumer =
        new KafkaShareConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      await()
          .pollInSameThread()
          .atMost(DELIVERY_TIMEOUT)
          .untilAsserted(
              () -> {
                for (ConsumerRecord<String, String> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  received.add(record.value());
                }
                assertThat(received).isNotEmpty();
              });
      consumer.commitSync();
    }
    assertThat(received).hasSize(1);
    return received.get(0);
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }
}
