package dev.switchboard.benchmarks;

import dev.switchboard.messaging.RetryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * In-process scenarios on the core's in-memory transport: pub-sub throughput against a plain queue
 * hand-off, and the retry machinery switched on (with no failures) against switched off.
 */
final class MemorySuite implements Suite {
  static final double PUBSUB_GOAL = 1_000_000;
  static final double RETRY_GOAL = 0.98;
  private static final int WINDOW = 10_000;

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public List<Row> run(Profile profile, Comparison comparison, Predicate<String> selected)
      throws Exception {
    List<Row> rows = new ArrayList<>();
    for (int size : Sizes.ALL) {
      Sample sample = Sample.of(size);
      String pubsub = "memory-pubsub-" + Sizes.label(size);
      if (selected.test(pubsub)) {
        try (Side toolkit =
                new MemorySides.Toolkit("switchboard", sample, RetryPolicy.defaults(), WINDOW);
            Side b1 = new MemorySides.Queue(true, "B1", sample, WINDOW);
            Side b0 = new MemorySides.Queue(false, "B0", sample, WINDOW)) {
          for (Row row :
              comparison.run(
                  pubsub, toolkit, b1, b0, profile.memoryBudget(), profile.memoryRounds())) {
            rows.add(row.metric().equals(Throughput.RATE + " vs B1") ? pubsubGoal(row) : row);
          }
        }
      }
      String bytes = "memory-pubsub-bytes-" + Sizes.label(size);
      if (selected.test(bytes)) {
        // The toolkit's own cost with no JSON on either side: byte[] payloads, bytes codec.
        try (Side toolkit =
                new MemorySides.Toolkit(
                    "switchboard", Json.write(sample), RetryPolicy.defaults(), WINDOW);
            Side b0 = new MemorySides.Queue(false, "B0", sample, WINDOW)) {
          for (Row row :
              comparison.run(
                  bytes, toolkit, b0, null, profile.memoryBudget(), profile.memoryRounds())) {
            rows.add(pubsubGoal(row));
          }
        }
      }
      String retry = "memory-retry-on-vs-off-" + Sizes.label(size);
      if (selected.test(retry)) {
        try (Side on = new MemorySides.Toolkit("retry on", sample, RetryPolicy.defaults(), WINDOW);
            Side off = new MemorySides.Toolkit("retry off", sample, RetryPolicy.none(), WINDOW)) {
          for (Row row :
              comparison.run(
                  retry, on, off, null, profile.memoryBudget(), profile.memoryRounds())) {
            rows.add(retryGoal(row));
          }
        }
      }
    }
    return rows;
  }

  private static Row pubsubGoal(Row row) {
    boolean met = row.switchboard() >= PUBSUB_GOAL;
    return row.withGoal(
        String.format(Locale.ROOT, ">= %,.0f msg/s: %s", PUBSUB_GOAL, met ? "met" : "MISSED"));
  }

  private static Row retryGoal(Row row) {
    boolean met = row.ratio() >= RETRY_GOAL;
    return row.withGoal(
        String.format(Locale.ROOT, "ratio >= %.2f: %s", RETRY_GOAL, met ? "met" : "MISSED"));
  }
}
