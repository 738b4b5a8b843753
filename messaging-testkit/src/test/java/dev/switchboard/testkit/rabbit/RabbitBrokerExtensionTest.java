package dev.switchboard.testkit.rabbit;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RabbitBrokerExtension.class)
class RabbitBrokerExtensionTest {

  @Test
  void sharedBroker_carriesAMessageThroughAUniquelyNamedQueue(RabbitBroker rabbit)
      throws Exception {
    String queue = "switchboard-testkit-" + UUID.randomUUID();
    try (Connection connection = rabbit.connectionFactory().newConnection("testkit-test");
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(queue, false, true, true, null);
      try {
        channel.confirmSelect();
        channel.basicPublish("", queue, null, "ping".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(10_000);

        GetResponse response = channel.basicGet(queue, true);

        assertThat(response).isNotNull();
        assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("ping");
      } finally {
        channel.queueDelete(queue);
      }
    }
  }
}
