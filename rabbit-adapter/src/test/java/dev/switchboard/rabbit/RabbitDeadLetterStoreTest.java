package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.switchboard.messaging.DestinationNotFoundException;
import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.WireMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Failure paths of the dead-letter store; the toolkit logs an ERROR here on purpose. */
class RabbitDeadLetterStoreTest {
  @RegisterExtension
  @Order(1)
  final CapturedLogs captured = new CapturedLogs();

  @RegisterExtension
  @Order(2)
  final RabbitScratch rabbit = new RabbitScratch();

  private static String body(WireMessage m) {
    return new String(m.body(), StandardCharsets.UTF_8);
  }

  @Test
  void moveThatFailsPartwayReturnsWhatItMovedAndKeepsTheRest() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("move-fails");
    String deadLetterQueue = Topology.deadLetterQueue(queue.name());
    transport.declare(queue);
    BrokerProbe broker = new BrokerProbe(rabbit.uri());
    for (String letter : List.of("d1", "d2", "d3")) {
      broker.publish(deadLetterQueue, letter.getBytes(StandardCharsets.UTF_8));
    }
    DeadLetterStore store = transport.deadLetters(queue, queue.name());
    await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 3);

    List<String> offered = new CopyOnWriteArrayList<>();
    int moved =
        store.move(
            10,
            m -> {
              offered.add(body(m));
              if (body(m).equals("d2")) {
                // The group queue goes away under the move, so this copy comes back unroutable.
                try {
                  broker.deleteQueue(queue.name());
                } catch (Exception e) {
                  throw new AssertionError("cannot delete " + queue.name(), e);
                }
              }
              return Optional.of(m);
            });

    assertThat(moved).isEqualTo(1);
    assertThat(offered).containsExactly("d1", "d2");
    await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 2);
    assertThat(store.browse(5))
        .extracting(RabbitDeadLetterStoreTest::body)
        .containsExactly("d2", "d3");
    assertThat(
            captured.from(
                RabbitDeadLetterStore.class,
                Level.ERROR,
                m -> m.contains("stopped after 1 moved of 2 scanned")))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getThrowableProxy().getClassName())
                    .isEqualTo(DestinationNotFoundException.class.getName()));
  }
}
