package dev.switchboard.kafka;

import dev.switchboard.testkit.conformance.BadInputConformance;
import dev.switchboard.testkit.conformance.ConformanceTarget;

class KafkaBadInputConformanceTest extends BadInputConformance {
  @Override
  protected ConformanceTarget target() {
    return KafkaConformanceTarget.INSTANCE;
  }
}
