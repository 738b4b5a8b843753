package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.switchboard.messaging.DestinationNotFoundException;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.FatalMessageException;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.RetryPolicy;
import dev.switchboard.messaging.Subscription;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How a delivery settles when publishing its copy (a dead letter, a redelivery) fails or cannot be
 * acknowledged any more: it stays unsettled for the core to decide, and nothing is duplicated.
 */
class RabbitDeliveryTest {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final CapturedLogs captured = new CapturedLogs();

  @RegisterExtension
  @Order(3)
  final RabbitScratch rabbit = new RabbitScratch();

  private static WireMessage text(String body) {
    return new WireMessage(Envelope.builder().build(), body.getBytes(StandardCharsets.UTF_8));
  }

  private static String body(Delivery d) {
    return new String(d.message().body(), StandardCharsets.UTF_8);
  }

  @Test
  @AllowWarnings("the core warns each time the dead-letter publish fails and it tries again")
  void failedDeadLetterPublishLeavesTheMessageUnsettledUntilItsDeadLetterQueueIsBack()
      throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("dlq-missing");
    rabbit.group(queue, queue.name(), RetryPolicy.defaults().redeliveryDelays());
    String deadLetterQueue = Topology.deadLetterQueue(queue.name());
    BrokerProbe broker = new BrokerProbe(rabbit.uri());
    AtomicInteger calls = new AtomicInteger();
    Messaging messaging = Messaging.builder().transport(transport).build();
    Subscription jobs =
        messaging.consume(
            queue.name(),
            String.class,
            (job, context) -> {
              calls.incrementAndGet();
              throw new FatalMessageException("job " + job + " cannot be done");
            });
    broker.deleteQueue(deadLetterQueue);

    messaging.send(queue.name(), "doomed").get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> deadLetterRetries().size() >= 2);
    assertThat(calls).hasValue(1);
    assertThat(jobs.stats().inFlight()).as("the message is still held").isEqualTo(1);

    broker.declareQuorumQueue(deadLetterQueue);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> messaging.queueDeadLetters(queue.name()).count() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> jobs.stats().inFlight() == 0);

    System.out.printf(
        "dead-letter queue missing: %d failed publishes retried by the core, handler called %d"
            + " time(s)%n",
        deadLetterRetries().size(), calls.get());
    assertThat(calls).as("handled once, never redelivered meanwhile").hasValue(1);
    assertThat(jobs.stats().deadLettered()).isEqualTo(1);
    assertThat(broker.ready(queue.name())).isZero();
    assertThat(captured.events())
        .as("no acknowledgement of a tag the channel no longer knows")
        .map(ILoggingEvent::getFormattedMessage)
        .noneMatch(m -> m.contains("406") || m.contains("unknown delivery tag"))
        .noneMatch(m -> m.contains("closed channel"));
    messaging.close();
  }

  @Test
  void deadLetterThatFailedCanBeTriedAgainOrReleased() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("dlq-retry");
    String deadLetterQueue = Topology.deadLetterQueue(queue.name());
    BrokerProbe broker = new BrokerProbe(rabbit.uri());
    // A delivery whose dead-letter publish failed, and the stage that ends its handler call.
    Map<Delivery, CompletableFuture<Void>> held = new ConcurrentHashMap<>();
    List<Delivery> handled = new CopyOnWriteArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    TransportConsumer consumer =
        transport.consume(
            rabbit.spec(queue, queue.name(), 2, 4),
            d -> {
              if (d.brokerDeliveryCount() > 1) {
                handled.add(d);
                return d.ack();
              }
              CompletableFuture<Void> handlerDone = new CompletableFuture<>();
              d.deadLetter(d.message())
                  .whenComplete(
                      (ok, e) -> {
                        failures.add(e != null ? e : new AssertionError("dead-lettered"));
                        held.put(d, handlerDone);
                      });
              return handlerDone;
            });
    broker.deleteQueue(deadLetterQueue);

    transport.send(queue, text("try-again")).get(10, TimeUnit.SECONDS);
    transport.send(queue, text("give-back")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
    assertThat(failures)
        .allSatisfy(e -> assertThat(e).isInstanceOf(DestinationNotFoundException.class));

    broker.declareQuorumQueue(deadLetterQueue);
    for (Map.Entry<Delivery, CompletableFuture<Void>> e : held.entrySet()) {
      Delivery d = e.getKey();
      if (body(d).equals("try-again")) {
        d.deadLetter(d.message()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      } else {
        d.release().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      e.getValue().complete(null);
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 1);
    assertThat(body(handled.get(0))).isEqualTo("give-back");
    assertThat(handled.get(0).brokerDeliveryCount()).isEqualTo(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(deadLetterQueue) == 1);
    assertThat(transport.deadLetters(queue, queue.name()).browse(5))
        .singleElement()
        .satisfies(
            m -> assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("try-again"));
    assertThat(consumer.failed()).isFalse();
  }

  @Test
  void redeliverAfterTheChannelClosedPublishesNoCopy() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("closed-before-retry");
    BrokerProbe broker = new BrokerProbe(rabbit.uri());
    List<Delivery> held = new CopyOnWriteArrayList<>();
    TransportConsumer consumer =
        transport.consume(
            rabbit.spec(queue, queue.name(), 1, 2),
            d -> {
              held.add(d);
              return new CompletableFuture<>();
            });
    transport.send(queue, text("once")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
    consumer.close(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(queue.name()) == 1);

    Delivery d = held.get(0);
    assertThat(d.redeliver(d.message(), Duration.ZERO))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(TransportException.class)
        .withMessageContaining("nothing was published");
    assertThat(d.deadLetter(d.message())).failsWithin(Duration.ofSeconds(5));

    assertThat(broker.ready(queue.name())).as("only the original, back in the queue").isEqualTo(1);
    assertThat(broker.ready(Topology.deadLetterQueue(queue.name()))).isZero();
  }

  private List<ILoggingEvent> deadLetterRetries() {
    return captured.events().stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .filter(e -> e.getFormattedMessage().contains("dead-letter publish of"))
        .toList();
  }
}
