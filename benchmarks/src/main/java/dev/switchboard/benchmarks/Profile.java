package dev.switchboard.benchmarks;

import java.time.Duration;

/**
 * How long and how often each scenario runs. {@link #QUICK} fits the whole suite, Kafka broker
 * start included, in under five minutes on two cores; {@link #FULL} is for numbers worth quoting.
 *
 * @param rounds measured rounds per broker scenario, each running every side once
 * @param memoryRounds measured rounds per in-memory scenario (cheap, and noisier)
 * @param memoryMessages messages per in-memory run
 * @param brokerMessages messages per broker publish or consume run
 * @param requests requests per request-reply run
 * @param requestTime the longest one request-reply run sends
 * @param latencyTime how long one open-loop latency run sends
 * @param maxRun the hard limit of any single run
 */
record Profile(
    String name,
    int rounds,
    int memoryRounds,
    int memoryMessages,
    int brokerMessages,
    int requests,
    Duration requestTime,
    Duration latencyTime,
    Duration maxRun) {

  static final Profile QUICK =
      new Profile(
          "quick",
          2,
          4,
          150_000,
          10_000,
          4_000,
          Duration.ofSeconds(1),
          Duration.ofSeconds(2),
          Duration.ofSeconds(4));

  static final Profile FULL =
      new Profile(
          "full",
          5,
          7,
          1_000_000,
          100_000,
          50_000,
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          Duration.ofSeconds(60));

  /**
   * Whether request-reply, latency and share-group consumption run at 1 KB too; the quick profile
   * keeps them at 100 B.
   */
  boolean allSizes() {
    return !name.equals("quick");
  }

  Profile withRounds(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("rounds must be >= 1, was " + n);
    }
    return new Profile(
        name, n, n, memoryMessages, brokerMessages, requests, requestTime, latencyTime, maxRun);
  }

  Budget memoryBudget() {
    return new Budget(memoryMessages, maxRun);
  }

  Budget brokerBudget() {
    return new Budget(brokerMessages, maxRun);
  }
}
