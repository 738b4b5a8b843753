package dev.switchboard.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.codec.JsonCodec;
import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Transport SPI behaviour that the public API does not show directly. */
public abstract class TransportConformance {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  /** What one delivery showed the consumer. */
  record Seen(String id, int attempt, int brokerCount) {}

  @Test
  void releasedMessageComesBackWithTheBrokersDeliveryCountRaised() throws Exception {
    kit.require(Capability.BROKER_DELIVERY_COUNT);
    Transport transport = kit.transport();
    Destination queue = Destination.queue(kit.name("counted"));
    transport.declare(queue);
    List<Seen> seen = new CopyOnWriteArrayList<>();
    TransportConsumer consumer =
        transport.consume(
            new ConsumerSpec(queue, queue.name(), 1, 1, List.of()),
            (Delivery d) -> {
              Envelope e = d.message().envelope();
              seen.add(new Seen(e.id(), e.attempt(), d.brokerDeliveryCount()));
              return seen.size() == 1 ? d.release() : d.ack();
            });
    Envelope envelope =
        Envelope.builder().type(TestMessages.ITEM).contentType(JsonCodec.CONTENT_TYPE).build();
    try {
      transport
          .send(queue, new WireMessage(envelope, "{\"n\":1}".getBytes(StandardCharsets.UTF_8)))
          .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);

      kit.await().untilAsserted(() -> assertThat(seen).hasSize(2));
    } finally {
      consumer.close();
    }
    assertThat(seen).extracting(Seen::id).containsOnly(envelope.id());
    assertThat(seen).extracting(Seen::attempt).containsOnly(1);
    assertThat(seen.get(0).brokerCount()).isPositive();
    assertThat(seen.get(1).brokerCount()).isEqualTo(seen.get(0).brokerCount() + 1);
  }
}
