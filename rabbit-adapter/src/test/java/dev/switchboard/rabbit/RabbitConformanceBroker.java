package dev.switchboard.rabbit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.rabbit.RabbitBroker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The shared RabbitMQ broker as a conformance target, registered on a static field of each suite.
 * After the suite it deletes every exchange and queue its transports declared.
 */
final class RabbitConformanceBroker implements ConformanceTarget, AfterAllCallback {
  private final List<RabbitTransport> created = new CopyOnWriteArrayList<>();
  private final AtomicInteger count = new AtomicInteger();

  @Override
  public String name() {
    return "rabbitmq";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.BROKER_DELIVERY_COUNT, Capability.BROKER_RESTART);
  }

  @Override
  public Transport create() {
    RabbitTransport t =
        RabbitTransport.builder()
            .uri(RabbitBroker.requireAvailable().uri())
            .connectionName("sbconformance-" + count.incrementAndGet())
            .build();
    created.add(t);
    return t;
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (created.isEmpty()) {
      return;
    }
    for (RabbitTransport t : created) {
      t.close(Duration.ofSeconds(5));
    }
    ConnectionFactory f = RabbitBroker.shared().connectionFactory();
    f.setAutomaticRecoveryEnabled(false);
    try (Connection c = f.newConnection("sbconformance-cleanup")) {
      for (RabbitTransport t : created) {
        for (Topology.Decl d : t.declarations()) {
          try (Channel ch = c.createChannel()) {
            if (d instanceof Topology.QueueDecl q) {
              ch.queueDelete(q.name());
            } else if (d instanceof Topology.ExchangeDecl x) {
              ch.exchangeDelete(x.name());
            }
          } catch (IOException | RuntimeException e) {
            // Already gone.
          }
        }
      }
    }
    created.clear();
  }
}
