package dev.switchboard.rabbit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.testkit.rabbit.RabbitBroker;
import java.io.IOException;
import java.util.Map;

/**
 * Looks at and changes a broker's queues and exchanges through a plain client connection, one
 * short-lived connection per call, so that tests can check what the transport declared or break
 * what it relies on.
 */
final class BrokerProbe {
  private final String uri;

  BrokerProbe(String uri) {
    this.uri = uri;
  }

  /** The queue's ready message count. */
  long ready(String queue) throws Exception {
    return call(ch -> (long) ch.queueDeclarePassive(queue).getMessageCount());
  }

  boolean queueExists(String queue) throws Exception {
    return exists(ch -> ch.queueDeclarePassive(queue));
  }

  boolean exchangeExists(String exchange) throws Exception {
    return exists(ch -> ch.exchangeDeclarePassive(exchange));
  }

  void deleteQueue(String queue) throws Exception {
    call(ch -> ch.queueDelete(queue));
  }

  /** Declares a durable queue of the transport's default type (quorum). */
  void declareQuorumQueue(String queue) throws Exception {
    call(ch -> ch.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum")));
  }

  /** Publishes a persistent message to a queue through the default exchange, confirmed. */
  void publish(String queue, byte[] body) throws Exception {
    call(
        ch -> {
          ch.confirmSelect();
          ch.basicPublish(
              "", queue, true, com.rabbitmq.client.MessageProperties.PERSISTENT_BASIC, body);
          ch.waitForConfirmsOrDie(10_000);
          return null;
        });
  }

  private boolean exists(ChannelCall<?> passive) throws Exception {
    try {
      call(passive);
      return true;
    } catch (IOException e) {
      // A passive declaration of something missing closes the channel with 404.
      return false;
    }
  }

  private <T> T call(ChannelCall<T> call) throws Exception {
    ConnectionFactory f = RabbitBroker.at(uri).connectionFactory();
    f.setAutomaticRecoveryEnabled(false);
    try (Connection c = f.newConnection("sbtest-probe")) {
      Channel ch = c.createChannel();
      return call.apply(ch);
    }
  }

  @FunctionalInterface
  private interface ChannelCall<T> {
    T apply(Channel channel) throws Exception;
  }
}
