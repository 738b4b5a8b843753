package dev.switchboard.testkit.conformance;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Small helpers the suites share. */
final class Fixtures {
  /** The numbers {@code 0 .. count-1}. */
  static Set<Integer> numbers(int count) {
    return IntStream.range(0, count).boxed().collect(Collectors.toUnmodifiableSet());
  }

  /** Stands in for the time a real handler spends on a message. */
  static void simulateWork(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
  }

  private Fixtures() {}
}
