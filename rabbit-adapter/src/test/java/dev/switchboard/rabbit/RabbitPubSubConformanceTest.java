package dev.switchboard.rabbit;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.PubSubConformance;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitPubSubConformanceTest extends PubSubConformance {
  @RegisterExtension static final RabbitConformanceBroker BROKER = new RabbitConformanceBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
