package dev.switchboard.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One private broker with a SASL_SSL listener, reached with plain Kafka clients. */
class KafkaBrokerSaslSslTest {
  private static final String PASSWORD = "alice-" + UUID.randomUUID();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path certificates;
  private static TestCertificates certs;
  private static KafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    certs = TestCertificates.generate(certificates);
    broker =
        KafkaBroker.builder()
            .saslSslListener(
                new SaslSslListener(certs.keyStore(), certs.password(), Map.of("alice", PASSWORD)))
            .build()
            .start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void scramSha512Client_producesAndConsumesOverTls() throws Exception {
    String topic = "secure-" + UUID.randomUUID();
    Map<String, Object> client = secure("SCRAM-SHA-512", PASSWORD);
    try (Admin admin = Admin.create(client)) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    Map<String, Object> producer = new HashMap<>(client);
    producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(producer)) {
      p.send(new ProducerRecord<>(topic, "hello")).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    Map<String, Object> consumer = new HashMap<>(client);
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID());
    consumer.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumer)) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      List<String> seen = new java.util.ArrayList<>();
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          seen.add(r.value());
        }
      }
      assertThat(seen).containsExactly("hello");
    }
  }

  @Test
  void everyMechanism_acceptsTheUser() throws Exception {
    for (String mechanism : List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")) {
      try (Admin admin = Admin.create(secure(mechanism, PASSWORD))) {
        assertThat(admin.describeCluster().nodes().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
            .as(mechanism)
            .hasSize(1);
      }
    }
  }

  @Test
  void aWrongPassword_isRejectedByTheBroker() {
    try (Admin admin = Admin.create(secure("SCRAM-SHA-512", "not-" + PASSWORD))) {
      assertThatThrownBy(
              () -> admin.describeCluster().nodes().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void thePlaintextListener_staysOpenBesideIt() throws Exception {
    assertThat(broker.saslSslBootstrapServers().orElseThrow())
        .startsWith("127.0.0.1:")
        .isNotEqualTo(broker.bootstrapServers());
    try (Admin admin = Admin.create(broker.clientConfig())) {
      assertThat(admin.describeCluster().nodes().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
          .hasSize(1);
    }
  }

  @Test
  void toStrings_maskThePasswords() {
    SaslSslListener listener =
        new SaslSslListener(certs.keyStore(), certs.password(), Map.of("alice", PASSWORD));

    assertThat(listener.toString()).contains("alice").doesNotContain(PASSWORD);
    assertThat(certs.toString()).contains("truststore.p12").doesNotContain(certs.password());
    assertThat(broker.toString()).doesNotContain(PASSWORD).doesNotContain(certs.password());
  }

  @Test
  void theListenersOwnSettings_cannotBeOverridden() {
    assertThatThrownBy(
            () ->
                KafkaBroker.builder()
                    .brokerProperty("listener.name.sasl_ssl.plain.sasl.jaas.config", "x"))
        .hasMessageContaining("saslSslListener");
    assertThatThrownBy(() -> KafkaBroker.builder().brokerProperty("sasl.enabled.mechanisms", "x"))
        .hasMessageContaining("saslSslListener");
  }

  @Test
  void aPasswordTheStorageToolCannotCarry_isRejectedWithoutRepeatingIt() {
    assertThatThrownBy(
            () -> new SaslSslListener(certs.keyStore(), "pw", Map.of("alice", "a,b]secret")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alice")
        .hasMessageNotContaining("a,b]secret");
  }

  @Test
  void certificatesGenerated_areThreeFilesInTheDirectory(@TempDir Path other) {
    TestCertificates generated = TestCertificates.generate(other);

    assertThat(generated.keyStore()).isRegularFile();
    assertThat(generated.trustStore()).isRegularFile();
    assertThat(other.resolve("broker.crt")).isRegularFile();
    assertThat(generated.password()).isNotEqualTo(certs.password());
  }

  private static Map<String, Object> secure(String mechanism, String password) {
    String module =
        mechanism.equals("PLAIN")
            ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule";
    Map<String, Object> c = new HashMap<>();
    c.put(
        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        broker.saslSslBootstrapServers().orElseThrow());
    c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
    c.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    c.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certs.trustStore().toString());
    c.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, certs.password());
    c.put(SaslConfigs.SASL_MECHANISM, mechanism);
    c.put(
        SaslConfigs.SASL_JAAS_CONFIG,
        module + " required username=\"alice\" password=\"" + password + "\";");
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    return c;
  }
}
