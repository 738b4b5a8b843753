package dev.switchboard.benchmarks;

import java.util.List;
import java.util.function.Predicate;

/** A group of scenarios sharing a setup, such as one broker. */
interface Suite {
  String name();

  /**
   * Runs every scenario whose name {@code selected} accepts. A scenario that cannot run (its
   * adapter is missing, its broker is unreachable) yields a skipped row instead of failing.
   */
  List<Row> run(Profile profile, Comparison comparison, Predicate<String> selected)
      throws Exception;
}
