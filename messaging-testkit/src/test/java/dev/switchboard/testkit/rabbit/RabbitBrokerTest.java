package dev.switchboard.testkit.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.testkit.support.LoopbackPorts;
import org.junit.jupiter.api.Test;

class RabbitBrokerTest {

  @Test
  void at_readsCredentialsPortAndVirtualHost() {
    RabbitBroker broker = RabbitBroker.at("amqp://app:p%40ss+word@127.0.0.1:5673/orders");

    assertThat(broker.host()).isEqualTo("127.0.0.1");
    assertThat(broker.port()).isEqualTo(5673);
    assertThat(broker.username()).isEqualTo("app");
    assertThat(broker.password()).isEqualTo("p@ss+word");
    assertThat(broker.virtualHost()).isEqualTo("orders");
  }

  @Test
  void at_withoutUserPortOrPath_usesGuestOnTheDefaultPortAndRootVirtualHost() {
    RabbitBroker broker = RabbitBroker.at("amqp://127.0.0.1");

    assertThat(broker.port()).isEqualTo(5672);
    assertThat(broker.username()).isEqualTo("guest");
    assertThat(broker.password()).isEqualTo("guest");
    assertThat(broker.virtualHost()).isEqualTo("/");
  }

  @Test
  void at_readsALoneSlashAsTheDefaultVirtualHostAndDecodesOthers() {
    assertThat(RabbitBroker.at("amqp://127.0.0.1:5672/").virtualHost()).isEqualTo("/");
    assertThat(RabbitBroker.at("amqp://127.0.0.1:5672/%2Forders").virtualHost())
        .isEqualTo("/orders");
    assertThat(RabbitBroker.at("amqp://127.0.0.1:5672/").connectionFactory().getVirtualHost())
        .isEqualTo("/");
  }

  @Test
  void toString_hidesThePassword() {
    RabbitBroker broker = RabbitBroker.at("amqp://app:secret@127.0.0.1:5672/");

    assertThat(broker.toString()).isEqualTo("amqp://app:***@127.0.0.1:5672/");
    assertThat(broker.uri()).contains("secret");
  }

  @Test
  void at_rejectsOtherSchemes() {
    assertThatThrownBy(() -> RabbitBroker.at("http://user:secret@127.0.0.1/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("amqp://")
        .hasMessageNotContaining("secret");
  }

  @Test
  void isAvailable_isFalseWhenNothingListens() {
    int closedPort = LoopbackPorts.free(1)[0];

    assertThat(RabbitBroker.at("amqp://127.0.0.1:" + closedPort).isAvailable()).isFalse();
  }
}
