package dev.switchboard.testkit.conformance;

import org.junit.jupiter.api.extension.RegisterExtension;

class InMemoryBadInputConformanceTest extends BadInputConformance {
  @RegisterExtension static final InMemoryBroker BROKER = new InMemoryBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
