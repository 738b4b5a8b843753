package dev.switchboard.testkit.conformance;

import org.junit.jupiter.api.extension.RegisterExtension;

class InMemoryRequestResilienceConformanceTest extends RequestResilienceConformance {
  @RegisterExtension static final InMemoryBroker BROKER = new InMemoryBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
