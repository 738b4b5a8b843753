package dev.switchboard.kafka;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.ResilienceConformance;

class KafkaResilienceConformanceTest extends ResilienceConformance {
  @Override
  protected ConformanceTarget target() {
    return KafkaConformanceTarget.INSTANCE;
  }
}
