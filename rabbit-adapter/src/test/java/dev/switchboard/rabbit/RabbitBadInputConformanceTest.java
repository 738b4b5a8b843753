package dev.switchboard.rabbit;

import dev.switchboard.testkit.conformance.BadInputConformance;
import dev.switchboard.testkit.conformance.ConformanceTarget;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitBadInputConformanceTest extends BadInputConformance {
  @RegisterExtension static final RabbitConformanceBroker BROKER = new RabbitConformanceBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
