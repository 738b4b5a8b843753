package dev.switchboard.kafka;

import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.kafka.KafkaBroker;
import dev.switchboard.testkit.kafka.KafkaBrokerException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/**
 * The conformance kit's view of the Kafka transport: every simulated process gets a transport of
 * its own on the run's shared broker. Topics get two partitions so that members of one group can
 * split a topic. Where no broker can start, cases are skipped on a developer machine and fail in CI
 * ({@code CI=true}).
 */
final class KafkaConformanceTarget implements ConformanceTarget {
  static final KafkaConformanceTarget INSTANCE = new KafkaConformanceTarget();

  private KafkaConformanceTarget() {}

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(
        Capability.ORDER_PER_KEY, Capability.BROKER_DELIVERY_COUNT, Capability.BROKER_RESTART);
  }

  @Override
  public Transport create() {
    return KafkaTransport.builder()
        .bootstrapServers(broker().bootstrapServers())
        .clientId("conformance")
        .partitions(2)
        .deliveryTimeout(Duration.ofSeconds(30))
        .build();
  }

  @Override
  public Duration patience() {
    return Duration.ofSeconds(60);
  }

  private static KafkaBroker broker() {
    try {
      return KafkaBroker.shared();
    } catch (KafkaBrokerException e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw e;
      }
      Assumptions.abort("no Kafka broker could be started here: " + e.getMessage());
      throw e;
    }
  }
}
