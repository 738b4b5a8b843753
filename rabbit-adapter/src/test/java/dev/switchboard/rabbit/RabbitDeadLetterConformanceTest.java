package dev.switchboard.rabbit;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.DeadLetterConformance;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitDeadLetterConformanceTest extends DeadLetterConformance {
  @RegisterExtension static final RabbitConformanceBroker BROKER = new RabbitConformanceBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
