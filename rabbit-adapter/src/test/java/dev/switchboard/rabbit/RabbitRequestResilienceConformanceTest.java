package dev.switchboard.rabbit;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.RequestResilienceConformance;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitRequestResilienceConformanceTest extends RequestResilienceConformance {
  @RegisterExtension static final RabbitConformanceBroker BROKER = new RabbitConformanceBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
