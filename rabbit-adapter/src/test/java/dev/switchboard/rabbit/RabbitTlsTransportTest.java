package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.TransportException;
import dev.switchboard.testkit.conformance.AllowWarnings;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.rabbit.PrivateRabbitNode;
import dev.switchboard.testkit.support.SelfSignedCertificate;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS against a private node with a TLS listener on 127.0.0.1, whose self-signed certificate is
 * made for this class and names {@code IP:127.0.0.1} only, so that connecting as {@code localhost}
 * exercises host name verification. Every transport here connects through the TLS listener, as a
 * user created with a random password. About 10 s with the node's start.
 */
@Tag("private-broker")
class RabbitTlsTransportTest {
  private static final String USER = "tls-tester";
  private static final String PASSWORD = "pw-" + UUID.randomUUID();
  private static final String WRONG_PASSWORD = "wrong-" + UUID.randomUUID();

  /** The connection and handshake timeouts of the transport are 10 s each. */
  private static final Duration PROMPTLY = Duration.ofSeconds(10);

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir static Path certificates;
  private static SelfSignedCertificate cert;
  private static PrivateRabbitNode node;

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final CapturedLogs captured = CapturedLogs.everythingAtDebug();

  record Ping(String text) {}

  @BeforeAll
  static void startNode() {
    PrivateRabbitNode.requireInstalled();
    cert = SelfSignedCertificate.generate(certificates, "IP:127.0.0.1");
    long begin = System.nanoTime();
    node = PrivateRabbitNode.builder().tls(cert.certificate(), cert.privateKey()).build().start();
    node.addUser(USER, PASSWORD);
    System.out.printf(
        "private TLS node %s started, user added, in %d ms%n",
        node, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
  }

  @AfterAll
  static void closeNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void publishSubscribeWorkQueueAndRequestReply_overTls_roundTrip() throws Exception {
    String topic = unique("secure-topic");
    String queue = unique("secure-jobs");
    String service = unique("secure-echo");
    try (Messaging m = messaging(transport("127.0.0.1", PASSWORD, trusting()))) {
      List<String> seen = new CopyOnWriteArrayList<>();
      m.subscribe(topic, "g", Ping.class, (p, ctx) -> seen.add("event " + p.text()));
      m.consume(queue, Ping.class, (p, ctx) -> seen.add("job " + p.text()));
      m.respond(service, Ping.class, (p, ctx) -> new Ping("re: " + p.text()));

      m.publish(topic, new Ping("hello")).get(10, TimeUnit.SECONDS);
      m.send(queue, new Ping("work")).get(10, TimeUnit.SECONDS);
      Ping answer =
          m.request(service, new Ping("ping"), Ping.class, PATIENCE).get(30, TimeUnit.SECONDS);

      assertThat(answer.text()).isEqualTo("re: ping");
      await().atMost(PATIENCE).until(() -> seen.size() == 2);
      assertThat(seen).containsExactlyInAnyOrder("event hello", "job work");
      assertThat(m.transport().toString())
          .contains("amqps://" + USER + ":****@127.0.0.1:" + node.tlsPort() + "/%2F")
          .doesNotContain(PASSWORD);
    }
    assertThat(infoLines("connected to amqps://"))
        .as("the transport says it connected over TLS, and how it trusts")
        .anySatisfy(line -> assertThat(line).contains("trust store", "host name verified"));
  }

  @Test
  void aWrongPassword_failsTheBuildWithATypedAuthenticationErrorAtOnce() {
    // The node's plain listener serves the same users; it shows the error is not TLS-specific.
    long begin = System.nanoTime();

    assertThatThrownBy(() -> transport("127.0.0.1", WRONG_PASSWORD, trusting()))
        .isInstanceOf(RabbitAuthenticationException.class)
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("authentication failed for user '" + USER + "'")
        .hasMessageContaining("at amqps://" + USER + ":****@127.0.0.1:" + node.tlsPort() + "/%2F")
        .hasMessageContaining("ACCESS_REFUSED")
        .hasMessageNotContaining(WRONG_PASSWORD);
    Duration took = Duration.ofNanos(System.nanoTime() - begin);
    System.out.printf("wrong password over TLS refused after %d ms%n", took.toMillis());
    assertThat(took).isLessThan(PROMPTLY);

    String plain = "amqp://" + USER + ":" + WRONG_PASSWORD + "@127.0.0.1:" + node.port() + "/";
    assertThatThrownBy(() -> RabbitTransport.builder().uri(plain).build())
        .as("the plain listener refuses the same way")
        .isInstanceOf(RabbitAuthenticationException.class)
        .hasMessageContaining("authentication failed for user '" + USER + "'")
        .hasMessageContaining("at amqp://" + USER + ":****@127.0.0.1:" + node.port() + "/%2F")
        .hasMessageNotContaining(WRONG_PASSWORD);
  }

  @Test
  void theJvmsDefaultTrust_failsTheBuildWithATlsCertificateErrorAtOnce() {
    String uri = "amqps://" + USER + ":" + PASSWORD + "@127.0.0.1:" + node.tlsPort() + "/";
    long begin = System.nanoTime();

    assertThatThrownBy(() -> RabbitTransport.builder().uri(uri).connectionName("untrusted").build())
        .isInstanceOf(RabbitAuthenticationException.class)
        .hasMessageContaining("TLS handshake with RabbitMQ at amqps://" + USER + ":****@127.0.0.1")
        .hasMessageContaining("certificate")
        .hasMessageContaining("PKIX")
        .hasMessageNotContaining(PASSWORD)
        .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
    Duration took = Duration.ofNanos(System.nanoTime() - begin);
    System.out.printf("untrusted certificate refused after %d ms%n", took.toMillis());
    assertThat(took).isLessThan(PROMPTLY);
  }

  @Test
  void aTlsClientAtThePlainPort_isAWrongPortError_notATrustError() {
    // The trusted context rules out a certificate problem: only the port is wrong.
    assertThatThrownBy(
            () ->
                RabbitTransport.builder()
                    .host("127.0.0.1")
                    .port(node.port())
                    .credentials(USER, PASSWORD)
                    .tls(trusting())
                    .build())
        .isInstanceOf(TransportException.class)
        .isNotInstanceOf(RabbitAuthenticationException.class)
        .hasMessageContaining("cannot connect to RabbitMQ at amqps://" + USER + ":****@127.0.0.1")
        .hasMessageContaining("TLS (amqps) listener")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void aPlainUriAtTheTlsPort_failsTheBuildPromptlyNamingThePlainListener() {
    String uri = "amqp://" + USER + ":" + PASSWORD + "@127.0.0.1:" + node.tlsPort() + "/";
    long begin = System.nanoTime();

    assertThatThrownBy(() -> RabbitTransport.builder().uri(uri).build())
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("cannot connect to RabbitMQ at amqp://" + USER + ":****@127.0.0.1")
        .hasMessageContaining("plain (amqp) listener")
        .hasMessageNotContaining(PASSWORD);
    Duration took = Duration.ofNanos(System.nanoTime() - begin);
    System.out.printf("plain client at the TLS port failed after %d ms%n", took.toMillis());
    assertThat(took).isLessThan(PROMPTLY.plus(PROMPTLY));
  }

  @Test
  @AllowWarnings("the transport warns that it skips host name verification")
  void aCertificateThatDoesNotNameTheHost_isRefusedUnlessVerificationIsSkipped() throws Exception {
    Assumptions.assumeTrue(
        InetAddress.getByName("localhost").isLoopbackAddress()
            && InetAddress.getByName("localhost").getAddress()[0] == 127,
        "localhost does not resolve to 127.0.0.1 here, where the node listens");

    assertThatThrownBy(() -> transport("localhost", PASSWORD, trusting()))
        .isInstanceOf(RabbitAuthenticationException.class)
        .hasMessageContaining("TLS handshake with RabbitMQ at amqps://" + USER + ":****@localhost")
        .hasMessageContaining("names host 'localhost'")
        .cause()
        .isInstanceOf(SSLHandshakeException.class)
        .hasCauseInstanceOf(CertificateException.class)
        .hasMessageContaining("localhost");

    RabbitTls lenient =
        RabbitTls.builder()
            .trustStore(
                RabbitTls.StoreType.PKCS12, cert.trustStore(), cert.trustStorePasswordChars())
            .skipHostnameVerification()
            .build();
    try (Messaging m = messaging(transport("localhost", PASSWORD, lenient))) {
      String queue = unique("lenient");
      List<String> seen = new CopyOnWriteArrayList<>();
      m.consume(queue, Ping.class, (p, ctx) -> seen.add(p.text()));
      m.send(queue, new Ping("through")).get(10, TimeUnit.SECONDS);
      await().atMost(PATIENCE).until(() -> seen.contains("through"));
    }
    assertThat(captured.from(RabbitTransport.class, Level.WARN, line -> true))
        .singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("names host 'localhost'"));
  }

  @Test
  void thePassword_neverAppearsInLogsExceptionsOrToStrings() throws Exception {
    List<String> texts = new ArrayList<>();
    RabbitTls tls = trusting();
    texts.add(tls.toString());
    RabbitTransport.Builder good = builder("127.0.0.1", PASSWORD, tls);
    texts.add(good.settings().toString());
    try (Messaging m = messaging(good.build())) {
      String queue = unique("quiet");
      List<String> seen = new CopyOnWriteArrayList<>();
      m.consume(queue, Ping.class, (p, ctx) -> seen.add(p.text()));
      m.send(queue, new Ping("hush")).get(10, TimeUnit.SECONDS);
      await().atMost(PATIENCE).until(() -> seen.contains("hush"));
      texts.add(m.transport().toString());
    }
    RabbitTransport.Builder bad = builder("127.0.0.1", WRONG_PASSWORD, tls);
    texts.add(bad.settings().toString());
    Throwable refused = catchFailure(bad);
    String untrusted = "amqps://" + USER + ":" + PASSWORD + "@127.0.0.1:" + node.tlsPort();
    Throwable untrustedFailure = catchFailure(RabbitTransport.builder().uri(untrusted));
    for (Throwable failure : List.of(refused, untrustedFailure)) {
      for (Throwable e = failure; e != null; e = e.getCause()) {
        texts.add(e.toString());
      }
    }
    List<ILoggingEvent> events = captured.events();
    for (ILoggingEvent event : events) {
      texts.add(event.getFormattedMessage());
      for (IThrowableProxy p = event.getThrowableProxy(); p != null; p = p.getCause()) {
        texts.add(p.getClassName() + ": " + p.getMessage());
      }
    }

    System.out.printf(
        "credentials check: %d log events (client at DEBUG), %d texts%n",
        events.size(), texts.size());
    assertThat(events).as("the run logged something to check").hasSizeGreaterThan(10);
    assertThat(events)
        .as("the client library's own events are among them")
        .anyMatch(e -> e.getLoggerName().startsWith("com.rabbitmq"));
    for (String text : texts) {
      assertThat(text)
          .doesNotContain(PASSWORD)
          .doesNotContain(WRONG_PASSWORD)
          .doesNotContain(cert.trustStorePassword());
    }
  }

  private static Throwable catchFailure(RabbitTransport.Builder builder) {
    try {
      builder.build().close(Duration.ofSeconds(1));
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("the transport was built");
  }

  private List<String> infoLines(String containing) {
    return captured
        .from(RabbitTransport.class, Level.INFO, line -> line.contains(containing))
        .stream()
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private static RabbitTls trusting() {
    return RabbitTls.builder()
        .trustStore(RabbitTls.StoreType.PKCS12, cert.trustStore(), cert.trustStorePasswordChars())
        .build();
  }

  private static RabbitTransport.Builder builder(String host, String password, RabbitTls tls) {
    return RabbitTransport.builder()
        .uri("amqps://" + USER + ":" + password + "@" + host + ":" + node.tlsPort() + "/")
        .tls(tls)
        .connectionName("tls-test")
        .recoveryInterval(Duration.ofMillis(500));
  }

  private static RabbitTransport transport(String host, String password, RabbitTls tls) {
    return builder(host, password, tls).build();
  }

  private static Messaging messaging(RabbitTransport transport) {
    return Messaging.builder()
        .transport(transport)
        .register("Ping", Ping.class)
        .source("tls-test")
        .build();
  }

  private static String unique(String base) {
    return "sbtest-" + base + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }
}
