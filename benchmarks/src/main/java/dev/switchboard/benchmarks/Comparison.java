package dev.switchboard.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Runs the sides of one scenario in alternation (toolkit, baseline, raw, toolkit, baseline, raw,
 * ...) after one warm-up run of each, and turns the measured rounds into {@link Row}s. Alternating
 * within a round means a teammate's build that slows the machine for a while hurts both sides of
 * that round alike, which the per-round ratio then cancels.
 */
final class Comparison {
  /** One measured run, for {@code summary-runs.csv}. */
  record Run(String scenario, String side, int round, String metric, double value) {}

  private final PrintStream log;
  private final List<Run> runs = new ArrayList<>();

  Comparison(PrintStream log) {
    this.log = log;
  }

  /** Prints a line of progress between runs. */
  void note(String line) {
    log.println(line);
  }

  List<Run> runs() {
    return runs;
  }

  /**
   * Measures {@code toolkit} against {@code baseline} (and {@code raw}, when given) for {@code
   * rounds} rounds. Rows compare with the baseline first, then with the raw side under metric names
   * suffixed {@code vs <raw label>}.
   */
  List<Row> run(
      String scenario, Side toolkit, Side baseline, @Nullable Side raw, Budget budget, int rounds)
      throws Exception {
    long started = System.nanoTime();
    List<Side> sides = new ArrayList<>(List.of(toolkit, baseline));
    if (raw != null) {
      sides.add(raw);
    }
    for (Side side : sides) {
      Map<String, Double> warm = side.run(budget);
      log.printf("  %-28s warm-up %-12s %s%n", scenario, side.label(), format(warm));
    }
    List<Map<String, List<Double>>> values = new ArrayList<>();
    for (int s = 0; s < sides.size(); s++) {
      values.add(new LinkedHashMap<>());
    }
    for (int round = 1; round <= rounds; round++) {
      for (int s = 0; s < sides.size(); s++) {
        Side side = sides.get(s);
        Map<String, Double> measured = side.run(budget);
        log.printf("  %-28s round %d  %-12s %s%n", scenario, round, side.label(), format(measured));
        for (Map.Entry<String, Double> m : measured.entrySet()) {
          values.get(s).computeIfAbsent(m.getKey(), k -> new ArrayList<>()).add(m.getValue());
          runs.add(new Run(scenario, side.label(), round, m.getKey(), m.getValue()));
        }
      }
    }
    log.printf("  %-28s took %d s%n", scenario, (System.nanoTime() - started) / 1_000_000_000L);
    List<Row> rows = new ArrayList<>();
    rows.addAll(rows(scenario, "vs " + baseline.label(), values.get(0), values.get(1)));
    if (raw != null) {
      rows.addAll(rows(scenario, "vs " + raw.label(), values.get(0), values.get(2)));
    }
    return rows;
  }

  private static List<Row> rows(
      String scenario,
      String against,
      Map<String, List<Double>> toolkit,
      Map<String, List<Double>> other) {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, List<Double>> m : toolkit.entrySet()) {
      List<Double> theirs = other.get(m.getKey());
      if (theirs == null || theirs.size() != m.getValue().size()) {
        continue;
      }
      double[] a = toArray(m.getValue());
      double[] b = toArray(theirs);
      double[] ratios = Stats.ratios(a, b);
      rows.add(
          new Row(
              scenario,
              m.getKey() + " " + against,
              Stats.median(a),
              Stats.median(b),
              Stats.median(ratios),
              Stats.min(ratios),
              Stats.max(ratios),
              a.length,
              null));
    }
    return rows;
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static String format(Map<String, Double> metrics) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Double> m : metrics.entrySet()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(m.getKey()).append('=').append(String.format(Locale.ROOT, "%,.1f", m.getValue()));
    }
    return sb.toString();
  }
}
