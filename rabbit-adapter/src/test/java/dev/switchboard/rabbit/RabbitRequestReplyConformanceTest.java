package dev.switchboard.rabbit;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.RequestReplyConformance;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitRequestReplyConformanceTest extends RequestReplyConformance {
  @RegisterExtension static final RabbitConformanceBroker BROKER = new RabbitConformanceBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
