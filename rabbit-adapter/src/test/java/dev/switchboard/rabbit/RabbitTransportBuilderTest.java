package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.messaging.TransportException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RabbitTransportBuilderTest {
  @Test
  void uriAndHostConflictWhicheverComesFirst() {
    assertThatThrownBy(() -> RabbitTransport.builder().uri("amqp://u:secret@h:1/").host("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("host(x)")
        .hasMessageContaining("uri(amqp://u:****@h:1/)")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(
            () -> RabbitTransport.builder().credentials("u", "pw").uri("amqp://u:secret@h:1/"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("credentials(..)")
        .hasMessageContaining("uri(")
        .hasMessageNotContaining("secret");
  }

  @Test
  void aSettingCannotBeGivenTwice() {
    assertThatThrownBy(
            () ->
                RabbitTransport.builder()
                    .publishTimeout(Duration.ofSeconds(1))
                    .publishTimeout(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("publishTimeout was already set to PT1S")
        .hasMessageContaining("PT2S");
    assertThatThrownBy(
            () ->
                RabbitTransport.builder()
                    .queueType(RabbitTransport.QueueType.CLASSIC)
                    .queueType(RabbitTransport.QueueType.QUORUM))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("queueType");
  }

  @Test
  void invalidValuesAreRejectedWithoutRecordingThem() {
    RabbitTransport.Builder b = RabbitTransport.builder();
    assertThatThrownBy(() -> b.confirmWindow(0)).isInstanceOf(IllegalArgumentException.class);
    b.confirmWindow(8);
    assertThatThrownBy(() -> b.port(70_000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.recoveryInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.uri("amqps://u:secret@h:notaport/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("amqps://u:****@")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> b.uri("amqp://u:secret@h:notaport/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("u:****@")
        .hasMessageNotContaining("secret");
  }

  @Test
  void passwordsAreMasked() {
    assertThat(RabbitSettings.mask("amqp://user:s3cr%2Ft@host:5672/vh"))
        .isEqualTo("amqp://user:****@host:5672/vh");
    assertThat(RabbitSettings.mask("amqp://host:5672/")).isEqualTo("amqp://host:5672/");
    RabbitSettings s =
        new RabbitSettings(
            "h",
            5672,
            "/",
            "user",
            "hunter2",
            RabbitTransport.QueueType.QUORUM,
            10,
            Duration.ofSeconds(1),
            "n",
            Duration.ofSeconds(1),
            null);
    assertThat(s.toString()).doesNotContain("hunter2").contains("amqp://user:****@h:5672/%2F");
  }

  @Test
  void aRawReservedCharacterInThePassword_isRefused_neverReadAsAnotherHostWithGuestCredentials() {
    for (String secret : new String[] {"2024?Secret", "2024#Secret", "pa/ss", "p@ss"}) {
      String uri = "amqps://svc:" + secret + "@mq.internal/";
      assertThatThrownBy(() -> RabbitTransport.builder().uri(uri))
          .as(secret)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("percent-encoded")
          .hasMessageContaining("credentials(..)")
          .hasMessageNotContaining(secret);
    }
    RabbitTransport.builder().uri("amqps://svc:2024%3FSecret@mq.internal/");
  }

  @Test
  void passwordsWithRawReservedCharacters_neverShowInMasksOrErrors() {
    for (String secret : new String[] {"pa/ss", "p@ss", "p?ss#x", "a:b@c/d", "@/@"}) {
      // Parsed only, never connected to.
      String uri = "amqps://user:" + secret + "@host:5671/vh";
      assertThat(RabbitSettings.mask(uri)).isEqualTo("amqps://user:****@host:5671/vh");
      Throwable refused =
          org.assertj.core.api.Assertions.catchThrowable(() -> RabbitTransport.builder().uri(uri));
      if (refused != null) {
        for (Throwable t = refused; t != null; t = t.getCause()) {
          assertThat(String.valueOf(t.getMessage())).as(secret).doesNotContain(secret);
        }
      }
    }
    assertThat(RabbitSettings.mask("amqp://user@host/vh")).isEqualTo("amqp://user@host/vh");
  }

  @Test
  void unreachableBrokerFailsWithAMaskedAddress() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    int closedPort = port;
    assertThatThrownBy(
            () ->
                RabbitTransport.builder()
                    .host("127.0.0.1")
                    .port(closedPort)
                    .credentials("someone", "topsecret")
                    .build())
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("amqp://someone:****@127.0.0.1:" + closedPort)
        .hasMessageNotContaining("topsecret");
  }
}
