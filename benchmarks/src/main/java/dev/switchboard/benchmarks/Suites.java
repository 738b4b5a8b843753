package dev.switchboard.benchmarks;

import java.util.List;

/** Every suite, in the order the harness runs them. */
final class Suites {
  private Suites() {}

  static List<Suite> all() {
    return List.of(new MemorySuite(), new KafkaSuite(), new RabbitSuite());
  }
}
