package dev.switchboard.kafka;

import dev.switchboard.testkit.conformance.ConformanceTarget;
import dev.switchboard.testkit.conformance.PubSubConformance;

class KafkaPubSubConformanceTest extends PubSubConformance {
  @Override
  protected ConformanceTarget target() {
    return KafkaConformanceTarget.INSTANCE;
  }
}
