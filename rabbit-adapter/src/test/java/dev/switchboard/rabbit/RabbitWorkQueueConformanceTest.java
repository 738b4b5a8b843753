package dev.switchboard.rabbit;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.WorkQueueConformance;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitWorkQueueConformanceTest extends WorkQueueConformance {
  @RegisterExtension static final RabbitConformanceBroker BROKER = new RabbitConformanceBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
