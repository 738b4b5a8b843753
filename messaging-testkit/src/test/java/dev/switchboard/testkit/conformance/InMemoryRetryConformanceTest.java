package dev.switchboard.testkit.conformance;

import org.junit.jupiter.api.extension.RegisterExtension;

class InMemoryRetryConformanceTest extends RetryConformance {
  @RegisterExtension static final InMemoryBroker BROKER = new InMemoryBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
