package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.AllowWarnings;
import dev.switchboard.testkit.conformance.LogCheck;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitConsumerRecoveryTest {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final RabbitScratch rabbit = new RabbitScratch();

  private static WireMessage text(String body) {
    return new WireMessage(Envelope.builder().build(), body.getBytes(StandardCharsets.UTF_8));
  }

  private static String body(Delivery d) {
    return new String(d.message().body(), StandardCharsets.UTF_8);
  }

  @Test
  @AllowWarnings("the transport warns that the broker closed the consumer's channel")
  void channelClosedByTheBrokerIsReplacedAndItsMessagesComeBackCounted() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("closed-channel");
    List<Delivery> held = new CopyOnWriteArrayList<>();
    List<Delivery> handled = new CopyOnWriteArrayList<>();
    TransportConsumer consumer =
        transport.consume(
            rabbit.spec(queue, queue.name(), 1, 4),
            d -> {
              String b = body(d);
              if (b.equals("held") && held.isEmpty()) {
                // Left unsettled on purpose: it is unacknowledged when the channel dies.
                held.add(d);
                return CompletableFuture.completedFuture(null);
              }
              if (b.equals("double-ack")) {
                // Acknowledging one tag twice is a protocol error: the broker closes the channel.
                return d.ack().thenCompose(v -> d.ack());
              }
              handled.add(d);
              return d.ack();
            });

    transport.send(queue, text("held")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
    transport.send(queue, text("double-ack")).get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(15)).until(() -> handled.size() == 1);
    Delivery again = handled.get(0);
    assertThat(body(again)).isEqualTo("held");
    assertThat(again.brokerDeliveryCount()).isEqualTo(2);
    assertThat(held.get(0).ack())
        .as("settling on the dead channel fails instead of acking an unknown tag")
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(TransportException.class)
        .withMessageContaining("deliver it again");

    transport.send(queue, text("after")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 2);
    assertThat(body(handled.get(1))).isEqualTo("after");
    assertThat(consumer.failed()).isFalse();
  }

  @Test
  @AllowWarnings("the transport warns that the broker cancelled the consumer")
  void consumerWhoseQueueIsDeletedDeclaresItAgainAndResumes() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("deleted");
    List<String> got = new CopyOnWriteArrayList<>();
    TransportConsumer consumer =
        transport.consume(
            rabbit.spec(queue, queue.name(), 1, 4),
            d -> {
              got.add(body(d));
              return d.ack();
            });
    com.rabbitmq.client.ConnectionFactory f =
        dev.switchboard.testkit.rabbit.RabbitBroker.at(rabbit.uri()).connectionFactory();
    try (com.rabbitmq.client.Connection c = f.newConnection("sbtest-deleter");
        com.rabbitmq.client.Channel ch = c.createChannel()) {
      ch.queueDelete(queue.name());
    }

    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              transport
                  .send(queue, text("probe"))
                  .exceptionally(e -> null)
                  .get(5, TimeUnit.SECONDS);
              return !got.isEmpty();
            });
    assertThat(got).contains("probe");
    assertThat(consumer.failed()).isFalse();
  }

  @Test
  void consumerCloseHandsUnsettledMessagesBack() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("close-returns");
    List<Delivery> first = new CopyOnWriteArrayList<>();
    TransportConsumer consumer =
        transport.consume(
            rabbit.spec(queue, queue.name(), 1, 2),
            d -> {
              first.add(d);
              return CompletableFuture.completedFuture(null);
            });
    transport.send(queue, text("unsettled")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> first.size() == 1);
    consumer.close(Duration.ofSeconds(5));

    List<Delivery> second = new CopyOnWriteArrayList<>();
    transport.consume(
        rabbit.spec(queue, queue.name(), 1, 2),
        d -> {
          second.add(d);
          return d.ack();
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> second.size() == 1);
    assertThat(body(second.get(0))).isEqualTo("unsettled");
    assertThat(second.get(0).brokerDeliveryCount()).isEqualTo(2);
  }

  @Test
  void releaseGivesTheMessageBackForAnotherDelivery() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("release");
    List<Delivery> seen = new CopyOnWriteArrayList<>();
    transport.consume(
        rabbit.spec(queue, queue.name(), 1, 2),
        d -> {
          seen.add(d);
          return seen.size() == 1 ? d.release() : d.ack();
        });
    transport.send(queue, text("boomerang")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
    assertThat(body(seen.get(1))).isEqualTo("boomerang");
    assertThat(seen.get(1).message().envelope().attempt()).isEqualTo(1);
    assertThat(seen.get(1).brokerDeliveryCount()).isEqualTo(2);
  }
}
