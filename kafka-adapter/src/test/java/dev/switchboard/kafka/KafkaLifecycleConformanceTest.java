package dev.switchboard.kafka;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.LifecycleConformance;

class KafkaLifecycleConformanceTest extends LifecycleConformance {
  @Override
  protected ConformanceTarget target() {
    return KafkaConformanceTarget.INSTANCE;
  }
}
