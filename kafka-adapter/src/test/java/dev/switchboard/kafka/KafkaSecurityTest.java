package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.testkit.kafka.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed security setting without a broker: mapping, masking and conflicts. */
class KafkaSecurityTest {
  private static final String PASSWORD = "pa\"ss\\word-1";

  @TempDir static Path directory;
  private static TestCertificates certs;

  @BeforeAll
  static void certificates() {
    certs = TestCertificates.generate(directory);
  }

  private static KafkaSecurity scram() {
    return KafkaSecurity.builder()
        .trustStore(
            KafkaSecurity.StoreType.PKCS12, certs.trustStore(), certs.password().toCharArray())
        .sasl(SaslMechanism.SCRAM_SHA_512, "alice", PASSWORD.toCharArray())
        .build();
  }

  @Test
  void everyClient_getsSaslSslTheTrustStoreAndTheJaasConfig() {
    try (KafkaTransport t =
        KafkaTransport.builder().bootstrapServers("127.0.0.1:1").security(scram()).build()) {
      KafkaSettings s = t.settings();
      List<Map<String, Object>> configs =
          List.of(
              s.producerConfig(),
              s.groupConsumerConfig("g", 1),
              s.shareConsumerConfig("g", 1),
              s.assignedConsumerConfig("reader"),
              s.adminConfig());
      for (Map<String, Object> c : configs) {
        assertThat(c)
            .containsEntry("security.protocol", "SASL_SSL")
            .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
            .containsEntry("ssl.truststore.type", "PKCS12")
            .containsEntry(
                "ssl.truststore.location", certs.trustStore().toAbsolutePath().toString());
        assertThat(((Password) c.get("ssl.truststore.password")).value())
            .isEqualTo(certs.password());
        assertThat(((Password) c.get("sasl.jaas.config")).value())
            .isEqualTo(
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"alice\" password=\"pa\\\"ss\\\\word-1\";");
        assertThat(c.toString()).doesNotContain(PASSWORD).doesNotContain(certs.password());
      }
    }
  }

  @Test
  void withoutSasl_theProtocolIsSslAndNoJaasConfigIsSet() {
    KafkaSecurity tls = KafkaSecurity.builder().build();

    assertThat(tls.clientConfig()).containsExactly(Map.entry("security.protocol", "SSL"));
    assertThat(tls.username()).isEmpty();
  }

  @Test
  void toStrings_showTheUserButNeverAPassword() {
    KafkaSecurity security = scram();
    try (KafkaTransport t =
        KafkaTransport.builder()
            .bootstrapServers("127.0.0.1:1")
            .security(security)
            .clientProperty("custom.vault.password", "keystore-secret")
            .build()) {
      for (String text : List.of(security.toString(), t.toString(), t.settings().toString())) {
        assertThat(text)
            .doesNotContain(PASSWORD)
            .doesNotContain("pa\\\"ss")
            .doesNotContain(certs.password())
            .doesNotContain("keystore-secret");
      }
      assertThat(security.toString()).contains("SASL_SSL", "SCRAM-SHA-512", "alice", "****");
    }
  }

  @Test
  void aRawSecurityPropertyAfterTheTypedSetting_isRejectedNamingBoth() {
    KafkaTransport.Builder b = KafkaTransport.builder().security(scram());

    assertThatThrownBy(() -> b.clientProperty("security.protocol", "PLAINTEXT"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clientProperty(\"security.protocol\"")
        .hasMessageContaining("security(")
        .hasMessageNotContaining(PASSWORD);
    assertThatThrownBy(() -> b.consumerProperty("sasl.jaas.config", "x"))
        .hasMessageContaining("consumerProperty(\"sasl.jaas.config\"");
  }

  @Test
  void theTypedSettingAfterARawSecurityProperty_isRejectedNamingBoth() {
    KafkaTransport.Builder b = KafkaTransport.builder().producerProperty("sasl.mechanism", "PLAIN");

    assertThatThrownBy(() -> b.security(scram()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("security(..)")
        .hasMessageContaining("producerProperty(\"sasl.mechanism\"");
  }

  @Test
  void rawPropertiesTheTypedSettingLeavesAlone_areAccepted() {
    KafkaTransport.Builder b =
        KafkaTransport.builder()
            .security(scram())
            .clientProperty("ssl.endpoint.identification.algorithm", "https");

    assertThat(b).isNotNull();
  }

  @Test
  void repeatedSettings_areRejected() {
    KafkaSecurity.Builder b =
        KafkaSecurity.builder().sasl(SaslMechanism.PLAIN, "alice", PASSWORD.toCharArray());

    assertThatThrownBy(() -> b.sasl(SaslMechanism.PLAIN, "bob", "x".toCharArray()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("alice")
        .hasMessageContaining("bob");
    assertThatThrownBy(() -> KafkaTransport.builder().security(scram()).security(scram()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("security(..) was already set")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void aPasswordWithALineBreak_isRejectedWithoutRepeatingIt() {
    assertThatThrownBy(
            () ->
                KafkaSecurity.builder()
                    .sasl(SaslMechanism.SCRAM_SHA_512, "alice", "a\nsecret-z".toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alice")
        .hasMessageNotContaining("secret-z");
  }

  @Test
  void thePasswordArray_isCopiedSoTheCallerMayWipeIt() {
    char[] password = PASSWORD.toCharArray();
    KafkaSecurity security =
        KafkaSecurity.builder().sasl(SaslMechanism.PLAIN, "alice", password).build();
    java.util.Arrays.fill(password, '\0');

    assertThat(((Password) security.clientConfig().get("sasl.jaas.config")).value())
        .contains("pa\\\"ss");
  }

  @Test
  void aMissingTrustStore_isRejectedAtTheCall(@TempDir Path empty) {
    Path missing = empty.resolve("absent.p12");

    assertThatThrownBy(
            () ->
                KafkaSecurity.builder()
                    .trustStore(KafkaSecurity.StoreType.PKCS12, missing, new char[] {'x'}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absent.p12");
  }
}
