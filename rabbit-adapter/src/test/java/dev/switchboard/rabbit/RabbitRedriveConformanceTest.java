package dev.switchboard.rabbit;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.RedriveConformance;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitRedriveConformanceTest extends RedriveConformance {
  @RegisterExtension static final RabbitConformanceBroker BROKER = new RabbitConformanceBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
