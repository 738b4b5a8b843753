package dev.switchboard.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints the rows as a Markdown table and writes them as CSV: {@code summary.csv} with the columns
 * {@code scenario,metric,switchboard,baseline,ratio} (ratio being the median of the per-round
 * ratios), and {@code summary-runs.csv} with every measured run.
 */
final class Summary {
  private Summary() {}

  static void print(List<Row> rows, PrintStream out) {
    out.println(
        "| scenario | metric | switchboard | baseline | ratio (median) | ratio min–max | goal |");
    out.println("|---|---|---:|---:|---:|---:|---|");
    for (Row r : rows) {
      if (r.isSkipped()) {
        out.printf("| %s | %s | | | | | |%n", r.scenario(), r.metric());
        continue;
      }
      out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %.3f | %.3f–%.3f | %s |%n",
          r.scenario(),
          r.metric(),
          number(r.switchboard()),
          number(r.baseline()),
          r.ratio(),
          r.ratioMin(),
          r.ratioMax(),
          r.goal() == null ? "" : r.goal());
    }
  }

  static void writeCsv(List<Row> rows, Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("scenario,metric,switchboard,baseline,ratio");
    for (Row r : rows) {
      if (r.isSkipped()) {
        lines.add(csv(r.scenario()) + "," + csv(r.metric()) + ",,,");
      } else {
        lines.add(
            String.join(
                ",",
                csv(r.scenario()),
                csv(r.metric()),
                plain(r.switchboard()),
                plain(r.baseline()),
                String.format(Locale.ROOT, "%.4f", r.ratio())));
      }
    }
    write(file, lines);
  }

  static void writeRuns(List<Comparison.Run> runs, Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("scenario,side,round,metric,value");
    for (Comparison.Run r : runs) {
      lines.add(
          String.join(
              ",",
              csv(r.scenario()),
              csv(r.side()),
              Integer.toString(r.round()),
              csv(r.metric()),
              plain(r.value())));
    }
    write(file, lines);
  }

  private static void write(Path file, List<String> lines) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  private static String number(double v) {
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String plain(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** Quotes a CSV field when it holds a comma or a quote. */
  static String csv(String field) {
    if (field.indexOf(',') < 0 && field.indexOf('"') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }
}
