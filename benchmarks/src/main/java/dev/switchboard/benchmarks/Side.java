package dev.switchboard.benchmarks;

import java.util.Map;

/**
 * One contender of a comparison: the toolkit, or a raw-client baseline. It is set up once, run
 * several times, then closed. Every run measures the same metrics under the same names.
 */
interface Side extends AutoCloseable {
  /** {@code switchboard}, {@code B1}, {@code B0} or another short label for the table. */
  String label();

  /** One bounded run; metric name to value, in a stable order. */
  Map<String, Double> run(Budget budget) throws Exception;

  @Override
  default void close() throws Exception {}

  /** One bounded run of a side, as {@link #run}. */
  @FunctionalInterface
  interface Run {
    Map<String, Double> run(Budget budget) throws Exception;
  }

  /** A side with nothing to close, made of its label and its run. */
  static Side of(String label, Run run) {
    return new Side() {
      @Override
      public String label() {
        return label;
      }

      @Override
      public Map<String, Double> run(Budget budget) throws Exception {
        return run.run(budget);
      }
    };
  }
}
