package dev.switchboard.kafka;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.DeadLetterConformance;

class KafkaDeadLetterConformanceTest extends DeadLetterConformance {
  @Override
  protected ConformanceTarget target() {
    return KafkaConformanceTarget.INSTANCE;
  }
}
