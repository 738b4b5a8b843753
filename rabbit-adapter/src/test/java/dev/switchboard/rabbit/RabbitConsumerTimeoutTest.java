package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.AllowWarnings;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.rabbit.PrivateRabbitNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A handler that holds a message past the broker's {@code consumer_timeout}, on a private node
 * whose timeout is 5 s and whose channels check it every second (RabbitMQ 3.10 checks once per
 * {@code channel_tick_interval}, a minute by default, so the default would make this test take up
 * to 65 s). About 20 s with the node's start.
 */
@Tag("slow")
@Tag("private-broker")
@AllowWarnings("the transport warns that the broker closed the channel for the consumer timeout")
class RabbitConsumerTimeoutTest {
  private static final Duration CONSUMER_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration TICK = Duration.ofSeconds(1);

  private static PrivateRabbitNode node;

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final CapturedLogs captured = new CapturedLogs();

  @RegisterExtension
  @Order(3)
  final RabbitScratch rabbit = new RabbitScratch(() -> node.uri());

  @BeforeAll
  static void startNode() {
    PrivateRabbitNode.requireInstalled();
    node =
        PrivateRabbitNode.builder()
            .config("consumer_timeout", Long.toString(CONSUMER_TIMEOUT.toMillis()))
            .advancedConfig("channel_tick_interval", Long.toString(TICK.toMillis()))
            .build()
            .start();
  }

  @AfterAll
  static void closeNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void handlerHoldingAMessagePastTheConsumerTimeoutGetsItAgainOnANewChannel() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("slow-handler");
    List<Delivery> handled = new CopyOnWriteArrayList<>();
    CountDownLatch redelivered = new CountDownLatch(1);
    AtomicLong firstArrival = new AtomicLong();
    AtomicLong secondArrival = new AtomicLong();
    TransportConsumer consumer =
        transport.consume(
            rabbit.spec(queue, queue.name(), 1, 1),
            d -> {
              boolean first = handled.isEmpty() && d.brokerDeliveryCount() == 1;
              if (first) {
                firstArrival.set(System.currentTimeMillis());
                // Blocks the channel's dispatch thread, as a slow handler does.
                awaitQuietly(redelivered, Duration.ofSeconds(40));
                return d.ack();
              }
              secondArrival.set(System.currentTimeMillis());
              handled.add(d);
              redelivered.countDown();
              return d.ack();
            });

    transport.send(queue, text("slow")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(40)).until(() -> handled.size() == 1);

    List<ILoggingEvent> warnings =
        captured.from(ConsumerChannel.class, Level.WARN, m -> m.contains("consumer_timeout"));
    assertThat(warnings).singleElement();
    ILoggingEvent warning = warnings.get(0);
    assertThat(warning.getFormattedMessage())
        .contains(queue.name())
        .contains("406")
        .contains("timed out");
    assertThat(warning.getThrowableProxy()).as("the shutdown signal is logged").isNotNull();
    long detected = warning.getTimeStamp() - firstArrival.get();
    long recovered = secondArrival.get() - firstArrival.get();
    System.out.printf(
        "consumer_timeout %d ms, tick %d ms: channel close seen after %d ms, message handled"
            + " again after %d ms%n",
        CONSUMER_TIMEOUT.toMillis(), TICK.toMillis(), detected, recovered);
    assertThat(detected).isGreaterThanOrEqualTo(CONSUMER_TIMEOUT.toMillis());
    assertThat(recovered).isLessThan(CONSUMER_TIMEOUT.plus(TICK).plusSeconds(5).toMillis());

    Delivery again = handled.get(0);
    assertThat(new String(again.message().body(), StandardCharsets.UTF_8)).isEqualTo("slow");
    assertThat(again.brokerDeliveryCount()).isEqualTo(2);
    assertThat(consumer.failed()).isFalse();
    transport.send(queue, text("after")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 2);
    assertThat(captured.from(ConsumerChannel.class, Level.WARN, m -> true)).hasSize(1);
  }

  private static WireMessage text(String body) {
    return new WireMessage(Envelope.builder().build(), body.getBytes(StandardCharsets.UTF_8));
  }

  private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
    try {
      latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
