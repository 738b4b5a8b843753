package dev.switchboard.testkit.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class PrivateRabbitNodeTest {
  private static final Logger LOG = LoggerFactory.getLogger(PrivateRabbitNodeTest.class);

  @BeforeAll
  static void rabbitMqIsInstalled() {
    PrivateRabbitNode.requireInstalled();
  }

  @Test
  void restartAndKill_keepDurableQueuesAndConfirmedPersistentMessages() throws Exception {
    String queue = "orders-" + UUID.randomUUID();
    boolean machineNodeUp = RabbitBroker.shared().isAvailable();
    try (PrivateRabbitNode node = PrivateRabbitNode.builder().build()) {
      long begin = System.nanoTime();
      node.start();
      long started = System.nanoTime();
      assertThat(node.isRunning()).isTrue();
      assertThat(node.nodeName()).startsWith("sbtest-").endsWith("@localhost");
      assertThat(node.uri()).startsWith("amqp://guest:guest@127.0.0.1:");
      assertThat(node.port()).isNotEqualTo(5672);
      int port = node.port();

      publishPersistent(node, queue, "before restart");
      long published = System.nanoTime();
      node.restart();
      long restarted = System.nanoTime();
      assertThat(node.port()).isEqualTo(port);
      assertThat(takeOne(node, queue)).isEqualTo("before restart");

      publishPersistent(node, queue, "before kill");
      long killBegin = System.nanoTime();
      node.kill();
      assertThat(node.isRunning()).isFalse();
      node.start();
      long recovered = System.nanoTime();
      assertThat(takeOne(node, queue)).isEqualTo("before kill");

      LOG.info(
          "Private RabbitMQ timings: start {} ms, restart {} ms, kill and start {} ms",
          millis(begin, started),
          millis(published, restarted),
          millis(killBegin, recovered));
    }
    assertThat(RabbitBroker.shared().isAvailable()).isEqualTo(machineNodeUp);
  }

  @Test
  void close_deletesTheNodeDirectoryAndRefusesAFurtherStart() throws Exception {
    PrivateRabbitNode node = PrivateRabbitNode.builder().build();
    node.start();
    Path directory = node.directory();
    assertThat(directory.resolve("node.pid")).exists();

    node.close();

    assertThat(node.isRunning()).isFalse();
    assertThat(directory).doesNotExist();
    assertThatThrownBy(node::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void builder_rejectsAMissingScriptsDirectory() {
    assertThatThrownBy(
            () -> PrivateRabbitNode.builder().scriptsDirectory(Path.of("/nonexistent")).build())
        .isInstanceOf(RabbitBrokerException.class)
        .hasMessageContaining("/nonexistent");
  }

  private static void publishPersistent(PrivateRabbitNode node, String queue, String body)
      throws Exception {
    try (Connection connection = node.broker().connectionFactory().newConnection();
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(queue, true, false, false, null);
      channel.confirmSelect();
      channel.basicPublish(
          "",
          queue,
          MessageProperties.PERSISTENT_TEXT_PLAIN,
          body.getBytes(StandardCharsets.UTF_8));
      channel.waitForConfirmsOrDie(10_000);
    }
  }

  private static String takeOne(PrivateRabbitNode node, String queue) throws Exception {
    try (Connection connection = node.broker().connectionFactory().newConnection();
        Channel channel = connection.createChannel()) {
      GetResponse response = channel.basicGet(queue, true);
      assertThat(response).as("a message in %s", queue).isNotNull();
      return new String(response.getBody(), StandardCharsets.UTF_8);
    }
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }
}
