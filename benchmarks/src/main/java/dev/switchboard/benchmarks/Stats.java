package dev.switchboard.benchmarks;

import java.util.Arrays;

/**
 * The little arithmetic the harness does on repeated runs: medians, ranges and the per-round ratios
 * of one side to the other. Pure functions, unit-tested.
 */
final class Stats {
  private Stats() {}

  /** The middle value; the mean of the two middle values for an even count. */
  static double median(double[] values) {
    requireSome(values);
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  static double min(double[] values) {
    requireSome(values);
    return Arrays.stream(values).min().getAsDouble();
  }

  static double max(double[] values) {
    requireSome(values);
    return Arrays.stream(values).max().getAsDouble();
  }

  /**
   * Element-wise {@code a[i] / b[i]}: each round's run of one side divided by the same round's run
   * of the other, so that slow drift of the machine cancels out within a round.
   */
  static double[] ratios(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "rounds differ: " + a.length + " against " + b.length + " runs");
    }
    requireSome(a);
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = b[i] == 0 ? Double.NaN : a[i] / b[i];
    }
    return out;
  }

  private static void requireSome(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
  }
}
