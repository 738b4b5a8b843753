package dev.switchboard.benchmarks;

import org.jspecify.annotations.Nullable;

/**
 * One line of the summary: the median value of the toolkit and of the baseline over the measured
 * rounds, and the median, smallest and largest of the per-round ratios toolkit ÷ baseline. A
 * skipped scenario has only a scenario and a reason.
 */
record Row(
    String scenario,
    String metric,
    double switchboard,
    double baseline,
    double ratio,
    double ratioMin,
    double ratioMax,
    int rounds,
    @Nullable String goal) {

  static Row skipped(String scenario, String reason) {
    return new Row(
        scenario, "skipped: " + reason, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0, null);
  }

  boolean isSkipped() {
    return rounds == 0;
  }

  Row withGoal(String verdict) {
    return new Row(
        scenario, metric, switchboard, baseline, ratio, ratioMin, ratioMax, rounds, verdict);
  }
}
