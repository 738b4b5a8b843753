package dev.switchboard.testkit.conformance;

import org.junit.jupiter.api.extension.RegisterExtension;

class InMemoryRequestReplyConformanceTest extends RequestReplyConformance {
  @RegisterExtension static final InMemoryBroker BROKER = new InMemoryBroker();

  @Override
  protected ConformanceTarget target() {
    return BROKER;
  }
}
