package dev.switchboard.kafka;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.TransportConformance;

class KafkaTransportConformanceTest extends TransportConformance {
  @Override
  protected ConformanceTarget target() {
    return KafkaConformanceTarget.INSTANCE;
  }
}
