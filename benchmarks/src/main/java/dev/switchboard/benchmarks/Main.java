package dev.switchboard.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The benchmark entry point.
 *
 * <pre>
 * quick [options]      the whole suite, short: under five minutes
 * full [options]       the whole suite, long: for numbers worth quoting
 * jmh [JMH options]    the JMH micro-benchmarks (for example: jmh -prof gc)
 *
 * options: --rounds=N  measured rounds per scenario
 *          --only=REGEX only the scenarios whose name matches
 *          --out=DIR    where summary.csv goes; target by default
 * </pre>
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length == 0 ? "quick" : args[0];
    String[] rest = args.length == 0 ? new String[0] : Arrays.copyOfRange(args, 1, args.length);
    switch (mode) {
      case "jmh" -> org.openjdk.jmh.Main.main(rest);
      case "quick" -> suite(Profile.QUICK, rest);
      case "full" -> suite(Profile.FULL, rest);
      default -> {
        System.err.println("unknown mode '" + mode + "': use quick, full or jmh");
        System.exit(2);
      }
    }
  }

  /** The machine's load, which on a shared machine says how much to trust the run. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void suite(Profile base, String[] options) throws Exception {
    Profile profile = base;
    Predicate<String> selected = name -> true;
    Path out = Path.of("target");
    for (String option : options) {
      if (option.startsWith("--rounds=")) {
        profile = profile.withRounds(Integer.parseInt(option.substring("--rounds=".length())));
      } else if (option.startsWith("--only=")) {
        selected = Pattern.compile(option.substring("--only=".length())).asPredicate();
      } else if (option.startsWith("--out=")) {
        out = Path.of(option.substring("--out=".length()));
      } else {
        System.err.println("unknown option '" + option + "'");
        System.exit(2);
      }
    }
    PrintStream log = System.out;
    log.printf(
        "switchboard benchmarks, %s profile: %d rounds after one warm-up, %d cores, %s%n",
        profile.name(),
        profile.rounds(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    log.println("load average at start: " + loadAverage());
    long started = System.nanoTime();
    Comparison comparison = new Comparison(log);
    List<Row> rows = new ArrayList<>();
    for (Suite suite : Suites.all()) {
      log.println("== " + suite.name());
      try {
        rows.addAll(suite.run(profile, comparison, selected));
      } catch (Exception e) {
        log.println("suite " + suite.name() + " failed: " + e);
        e.printStackTrace(log);
        rows.add(Row.skipped(suite.name(), "failed: " + e.getClass().getSimpleName()));
      }
    }
    log.println("load average at end: " + loadAverage());
    log.println();
    Summary.print(rows, log);
    Summary.writeCsv(rows, out.resolve("summary.csv"));
    Summary.writeRuns(comparison.runs(), out.resolve("summary-runs.csv"));
    log.printf(
        "%nwrote %s in %d s%n",
        out.resolve("summary.csv"), (System.nanoTime() - started) / 1_000_000_000L);
  }
}
