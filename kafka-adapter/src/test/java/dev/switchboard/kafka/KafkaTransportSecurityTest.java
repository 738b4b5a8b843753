package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.TransportException;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.kafka.KafkaBroker;
import dev.switchboard.testkit.kafka.KafkaBrokerException;
import dev.switchboard.testkit.kafka.SaslSslListener;
import dev.switchboard.testkit.kafka.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * TLS and SASL against one private broker with a SASL_SSL listener, whose certificate is made for
 * this class. Every test reaches the broker only through that listener.
 */
class KafkaTransportSecurityTest {
  private static final String PASSWORD = "alice-" + UUID.randomUUID();
  private static final String WRONG_PASSWORD = "wrong-" + UUID.randomUUID();
  private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir static Path certificates;
  private static TestCertificates certs;
  private static KafkaBroker broker;

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  record Ping(String text) {}

  @BeforeAll
  static void startBroker() {
    certs = TestCertificates.generate(certificates);
    KafkaBroker b =
        KafkaBroker.builder()
            .saslSslListener(
                new SaslSslListener(certs.keyStore(), certs.password(), Map.of("alice", PASSWORD)))
            .build();
    try {
      broker = b.start();
    } catch (KafkaBrokerException e) {
      b.close();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw e;
      }
      Assumptions.abort("no Kafka broker could be started here: " + e.getMessage());
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void publishAndSubscribe_overSaslSslWithScramSha512_roundTrips() throws Exception {
    String topic = Wire.unique("secure-topic");
    try (Messaging m = messaging(SaslMechanism.SCRAM_SHA_512, PASSWORD)) {
      List<String> seen = new CopyOnWriteArrayList<>();
      m.subscribe(topic, "g", Ping.class, (p, ctx) -> seen.add(p.text()));
      m.publish(topic, new Ping("hello")).get(30, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> seen.contains("hello"));
      assertThat(seen).containsExactly("hello");
    }
  }

  @Test
  void sendAndConsumeAQueue_overSaslSslWithPlain_roundTrips() throws Exception {
    String queue = Wire.unique("secure-queue");
    try (Messaging m = messaging(SaslMechanism.PLAIN, PASSWORD)) {
      List<String> seen = new CopyOnWriteArrayList<>();
      m.consume(queue, Ping.class, (p, ctx) -> seen.add(p.text()));
      m.send(queue, new Ping("job")).get(30, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> seen.contains("job"));
    }
  }

  @Test
  void aWrongPassword_failsPublishAndSubscribeWithAClearErrorWithinTheOperationTimeout() {
    String topic = Wire.unique("refused");
    long begin = System.nanoTime();
    try (Messaging m = messaging(SaslMechanism.SCRAM_SHA_512, WRONG_PASSWORD)) {
      CompletableFuture<Envelope> published = m.publish(topic, new Ping("x"));

      assertThatThrownBy(() -> published.get(OPERATION_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KafkaAuthenticationException.class)
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("authentication failed for user 'alice' (SCRAM-SHA-512)")
          .hasMessageContaining("at bootstrap " + saslBootstrap())
          .hasMessageNotContaining(WRONG_PASSWORD);
      assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(OPERATION_TIMEOUT);

      assertThatThrownBy(() -> m.subscribe(topic, "g", Ping.class, (p, ctx) -> {}))
          .isInstanceOf(KafkaAuthenticationException.class)
          .hasMessageContaining("user 'alice'")
          .hasMessageNotContaining(WRONG_PASSWORD);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - begin))
        .isLessThan(OPERATION_TIMEOUT.plus(OPERATION_TIMEOUT));
  }

  @Test
  void aTrustStoreWithoutTheBrokersCertificate_failsWithATlsError(@TempDir Path other) {
    TestCertificates stranger = TestCertificates.generate(other);
    KafkaSecurity security =
        KafkaSecurity.builder()
            .trustStore(
                KafkaSecurity.StoreType.PKCS12,
                stranger.trustStore(),
                stranger.password().toCharArray())
            .sasl(SaslMechanism.SCRAM_SHA_512, "alice", PASSWORD.toCharArray())
            .build();
    try (KafkaTransport t = transport(security)) {
      CompletableFuture<Void> sent =
          t.send(
              dev.switchboard.messaging.spi.Destination.topic(Wire.unique("untrusted")),
              Wire.message(null, "x"));

      assertThatThrownBy(() -> sent.get(OPERATION_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(KafkaAuthenticationException.class)
          .hasMessageContaining("TLS handshake with Kafka at bootstrap " + saslBootstrap())
          .hasMessageNotContaining(PASSWORD);
    }
  }

  @Test
  void neitherThePasswordNorTheJaasConfig_appearInLogsMessagesOrToStrings() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger kafka = context.getLogger("org.apache.kafka");
    Logger toolkit = context.getLogger("dev.switchboard");
    Level kafkaLevel = kafka.getLevel();
    Level toolkitLevel = toolkit.getLevel();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(context);
    captured.start();
    root.addAppender(captured);
    // Everything the clients log at DEBUG too, where configurations and handshakes are traced.
    kafka.setLevel(Level.DEBUG);
    toolkit.setLevel(Level.DEBUG);
    List<String> texts = new ArrayList<>();
    try {
      String topic = Wire.unique("quiet");
      KafkaSecurity good = security(SaslMechanism.SCRAM_SHA_512, PASSWORD);
      try (KafkaTransport t = transport(good);
          Messaging m = Messaging.builder().transport(t).register("Ping", Ping.class).build()) {
        List<String> seen = new CopyOnWriteArrayList<>();
        m.subscribe(topic, "g", Ping.class, (p, ctx) -> seen.add(p.text()));
        m.publish(topic, new Ping("hello")).get(30, TimeUnit.SECONDS);
        await().atMost(PATIENCE).until(() -> seen.contains("hello"));
        texts.add(t.toString());
        texts.add(t.settings().toString());
        texts.add(good.toString());
      }
      KafkaSecurity bad = security(SaslMechanism.SCRAM_SHA_512, WRONG_PASSWORD);
      try (KafkaTransport t = transport(bad);
          Messaging m = Messaging.builder().transport(t).register("Ping", Ping.class).build()) {
        Throwable failure =
            m.publish(topic, new Ping("x"))
                .handle((ok, e) -> e)
                .get(OPERATION_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(failure).isNotNull();
        for (Throwable e = failure; e != null; e = e.getCause()) {
          texts.add(String.valueOf(e));
        }
        texts.add(t.toString());
        texts.add(t.settings().toString());
        texts.add(bad.toString());
      }
    } finally {
      root.detachAppender(captured);
      kafka.setLevel(kafkaLevel);
      toolkit.setLevel(toolkitLevel);
      captured.stop();
    }

    for (ILoggingEvent event : captured.list) {
      texts.add(event.getFormattedMessage());
      for (IThrowableProxy p = event.getThrowableProxy(); p != null; p = p.getCause()) {
        texts.add(p.getClassName() + ": " + p.getMessage());
      }
    }
    assertThat(captured.list).as("the run logged something to check").hasSizeGreaterThan(10);
    for (String text : texts) {
      assertThat(text)
          .doesNotContain(PASSWORD)
          .doesNotContain(WRONG_PASSWORD)
          .doesNotContain(certs.password())
          .doesNotContain("password=\"");
    }
  }

  private static String saslBootstrap() {
    return broker.saslSslBootstrapServers().orElseThrow();
  }

  private static KafkaSecurity security(SaslMechanism mechanism, String password) {
    return KafkaSecurity.builder()
        .trustStore(
            KafkaSecurity.StoreType.PKCS12, certs.trustStore(), certs.password().toCharArray())
        .sasl(mechanism, "alice", password.toCharArray())
        .build();
  }

  private static KafkaTransport transport(KafkaSecurity security) {
    return KafkaTransport.builder()
        .bootstrapServers(saslBootstrap())
        .clientId("security-test")
        .deliveryTimeout(Duration.ofSeconds(20))
        .operationTimeout(OPERATION_TIMEOUT)
        .security(security)
        .build();
  }

  private static Messaging messaging(SaslMechanism mechanism, String password) {
    return Messaging.builder()
        .transport(transport(security(mechanism, password)))
        .register("Ping", Ping.class)
        .source("security-test")
        .build();
  }
}
