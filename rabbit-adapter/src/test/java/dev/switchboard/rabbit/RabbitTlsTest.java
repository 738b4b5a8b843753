package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.messaging.ConfigurationException;
import dev.switchboard.testkit.support.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The TLS settings without a broker: URI schemes, ports, conflicts, masking, socket set-up. */
class RabbitTlsTest {
  private static final String SECRET = "s3cret-login";

  @RegisterExtension final CapturedLogs captured = CapturedLogs.everythingAtDebug();

  @TempDir static Path directory;
  private static SelfSignedCertificate cert;

  @BeforeAll
  static void certificate() {
    cert = SelfSignedCertificate.generate(directory);
  }

  private static RabbitTls trusting() {
    return RabbitTls.builder()
        .trustStore(RabbitTls.StoreType.PKCS12, cert.trustStore(), cert.trustStorePasswordChars())
        .build();
  }

  @Test
  void anAmqpsUri_meansTlsWithTheJvmsTrustOnPort5671_shownMasked() {
    RabbitSettings s =
        RabbitTransport.builder().uri("amqps://user:" + SECRET + "@mq.test/").settings();

    assertThat(s.port()).isEqualTo(5671);
    assertThat(s.tls()).isNotNull();
    assertThat(s.tls().verifiesHostname()).isTrue();
    assertThat(s.brokerUri()).isEqualTo("amqps://user:****@mq.test:5671/%2F");
    assertThat(s.toString())
        .contains("JVM default trust", "host name verified")
        .doesNotContain(SECRET);
    assertThat(RabbitTransport.builder().uri("AMQPS://u:p@mq.test:6000/vh").settings())
        .satisfies(t -> assertThat(t.port()).isEqualTo(6000))
        .satisfies(t -> assertThat(t.virtualHost()).isEqualTo("vh"));
  }

  @Test
  void anAmqpsUri_makesATlsFactory_withoutAnyWarning() {
    RabbitSettings s = RabbitTransport.builder().uri("amqps://u:p@mq.test").settings();
    ConnectionFactory factory = RabbitConnections.factory(s);

    assertThat(factory.isSSL()).isTrue();
    assertThat(captured.events())
        .as("nothing may warn while the factory is set up")
        .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
  }

  @Test
  void anAmqpUri_staysPlainOnPort5672() {
    RabbitSettings s =
        RabbitTransport.builder().uri("amqp://user:" + SECRET + "@mq.test").settings();

    assertThat(s.tls()).isNull();
    assertThat(s.port()).isEqualTo(5672);
    assertThat(s.brokerUri()).isEqualTo("amqp://user:****@mq.test:5672/%2F");
  }

  @Test
  void tlsWithAddressSettings_defaultsThePortTo5671UnlessOneIsGiven() {
    RabbitSettings defaulted = RabbitTransport.builder().host("mq.test").tls(trusting()).settings();
    RabbitSettings given =
        RabbitTransport.builder().host("mq.test").port(5672).tls(trusting()).settings();
    RabbitSettings amqps =
        RabbitTransport.builder().uri("amqps://u:p@mq.test").tls(trusting()).settings();

    assertThat(defaulted.port()).isEqualTo(5671);
    assertThat(defaulted.brokerUri()).startsWith("amqps://guest:****@mq.test:5671/");
    assertThat(given.port()).isEqualTo(5672);
    assertThat(amqps.port()).isEqualTo(5671);
    assertThat(amqps.toString()).contains("trust store " + cert.trustStore().toAbsolutePath());
  }

  @Test
  void aPlainUriAndTls_conflictWhicheverComesFirst() {
    assertThatThrownBy(
            () -> RabbitTransport.builder().uri("amqp://u:" + SECRET + "@h:1/").tls(trusting()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tls(RabbitTls{trust store")
        .hasMessageContaining("conflicts with uri(amqp://u:****@h:1/)")
        .hasMessageContaining("use amqps://")
        .hasMessageNotContaining(SECRET)
        .hasMessageNotContaining(cert.trustStorePassword());
    assertThatThrownBy(
            () -> RabbitTransport.builder().tls(trusting()).uri("amqp://u:" + SECRET + "@h:1/"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("uri(amqp://u:****@h:1/) conflicts with tls(")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void repeatedOrConflictingTlsSettings_areRejectedNamingBoth() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, null, null);

    assertThatThrownBy(() -> RabbitTransport.builder().tls(trusting()).tls(trusting()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tls was already set");
    assertThatThrownBy(
            () ->
                RabbitTls.builder()
                    .sslContext(context)
                    .trustStore(RabbitTls.StoreType.PKCS12, cert.trustStore(), new char[] {'x'}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trustStore(")
        .hasMessageContaining("sslContext(..)");
    assertThatThrownBy(
            () ->
                RabbitTls.builder()
                    .trustStore(RabbitTls.StoreType.PKCS12, cert.trustStore(), new char[] {'x'})
                    .sslContext(context))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("conflicts with trustStore(" + cert.trustStore().toAbsolutePath());
    assertThatThrownBy(
            () -> RabbitTls.builder().skipHostnameVerification().skipHostnameVerification())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aMissingTrustStore_isRejectedAtTheCall(@TempDir Path empty) {
    Path missing = empty.resolve("absent.p12");

    assertThatThrownBy(
            () ->
                RabbitTls.builder()
                    .trustStore(RabbitTls.StoreType.PKCS12, missing, new char[] {'x'}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absent.p12");
  }

  @Test
  void aWrongTrustStorePassword_failsTheBuildWithAConfigurationErrorBeforeConnecting() {
    String wrong = "wrong-store-password-7";
    RabbitTls tls =
        RabbitTls.builder()
            .trustStore(RabbitTls.StoreType.PKCS12, cert.trustStore(), wrong.toCharArray())
            .build();

    // Port 1 on loopback: were it tried, the build would fail with a TransportException instead.
    assertThatThrownBy(
            () ->
                RabbitTransport.builder()
                    .uri("amqps://u:" + SECRET + "@127.0.0.1:1/")
                    .tls(tls)
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("cannot read the trust store " + cert.trustStore().toAbsolutePath())
        .hasMessageContaining("password")
        .hasMessageNotContaining(wrong)
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void thePasswordArray_isCopiedSoTheCallerMayWipeIt() {
    char[] password = cert.trustStorePasswordChars();
    RabbitTls tls =
        RabbitTls.builder()
            .trustStore(RabbitTls.StoreType.PKCS12, cert.trustStore(), password)
            .build();
    Arrays.fill(password, '\0');

    assertThat(tls.context().getProtocol()).isEqualTo("TLS");
    assertThat(tls.toString()).contains("password ****").doesNotContain(cert.trustStorePassword());
  }

  @Test
  void everySocket_verifiesTheHostNameAndOffersOnlyTls13And12() throws Exception {
    RabbitSettings s =
        RabbitTransport.builder().uri("amqps://u:p@127.0.0.1").tls(trusting()).settings();

    Configured socket = configuredSocket(RabbitConnections.factory(s));

    assertThat(socket.endpointIdentification()).isEqualTo("HTTPS");
    assertThat(socket.protocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
  }

  @Test
  void aCallersContext_keepsItsTrustButLosesVersionsBelowTls12() throws Exception {
    SSLContext legacy = SSLContext.getInstance("TLSv1.2");
    legacy.init(null, null, null);
    RabbitTls tls = RabbitTls.builder().sslContext(legacy).build();
    RabbitSettings s = RabbitTransport.builder().host("127.0.0.1").tls(tls).settings();

    Configured socket = configuredSocket(RabbitConnections.factory(s));

    assertThat(socket.protocols()).containsExactly("TLSv1.2");
    assertThat(tls.toString()).contains("caller's SSLContext (TLSv1.2)");
  }

  @Test
  void aContextWithoutTls12Or13_isRefusedBeforeItConnects() throws Exception {
    SSLContext old = SSLContext.getInstance("TLSv1.1");
    old.init(null, null, null);
    RabbitSettings s =
        RabbitTransport.builder()
            .host("127.0.0.1")
            .tls(RabbitTls.builder().sslContext(old).build())
            .settings();
    ConnectionFactory factory = RabbitConnections.factory(s);
    SSLSocket socket = (SSLSocket) ((SSLSocketFactory) factory.getSocketFactory()).createSocket();

    assertThatThrownBy(() -> factory.getSocketConfigurator().configure(socket))
        .isInstanceOf(SSLException.class)
        .hasMessageContaining("TLS 1.2 or 1.3");
    socket.close();
  }

  @Test
  void skippingHostnameVerification_leavesTheSocketWithoutEndpointIdentification()
      throws Exception {
    RabbitTls tls =
        RabbitTls.builder()
            .trustStore(
                RabbitTls.StoreType.PKCS12, cert.trustStore(), cert.trustStorePasswordChars())
            .skipHostnameVerification()
            .build();
    RabbitSettings s = RabbitTransport.builder().host("127.0.0.1").tls(tls).settings();

    Configured socket = configuredSocket(RabbitConnections.factory(s));

    assertThat(socket.endpointIdentification()).isNull();
    assertThat(tls.verifiesHostname()).isFalse();
    assertThat(s.toString()).contains("host name NOT verified");
  }

  /** What the client sets on a socket of the factory's before connecting it. */
  private record Configured(@Nullable String endpointIdentification, List<String> protocols) {}

  private static Configured configuredSocket(ConnectionFactory factory) throws Exception {
    assertThat(factory.isSSL()).isTrue();
    SSLSocketFactory sockets = (SSLSocketFactory) factory.getSocketFactory();
    try (SSLSocket socket = (SSLSocket) sockets.createSocket()) {
      factory.getSocketConfigurator().configure(socket);
      return new Configured(
          socket.getSSLParameters().getEndpointIdentificationAlgorithm(),
          List.of(socket.getEnabledProtocols()));
    }
  }
}
