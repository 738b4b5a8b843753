package dev.switchboard.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Runs the {@link BrokerScenarios} on one broker, or reports them skipped when the adapter is not
 * on the class path or the broker cannot be reached.
 */
abstract class BrokerSuite implements Suite {
  /** The scenario families of this broker, for skipped rows and for the name filter. */
  abstract List<String> families();

  /** The adapter's transport class, looked up by name so that its absence is not fatal. */
  abstract String adapterClass();

  /** Whether the broker's queues are Kafka share groups (a second consume scenario). */
  abstract boolean shareQueues();

  /** Connects (or starts the broker); throws {@link Unreachable} when there is none. */
  abstract BrokerEnv open() throws Exception;

  /** The broker is not there; the scenarios are skipped with this reason. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String reason, Throwable cause) {
      super(reason, cause);
    }
  }

  @Override
  public List<Row> run(Profile profile, Comparison comparison, Predicate<String> selected)
      throws Exception {
    List<String> families = new ArrayList<>();
    for (String f : families()) {
      families.add(name() + "-" + f);
    }
    if (families.stream().noneMatch(f -> selected.test(f) || selectsAny(selected, f))) {
      return List.of();
    }
    if (!available(adapterClass())) {
      return skipped(families, "adapter not available");
    }
    BrokerEnv env;
    try {
      env = open();
    } catch (Unreachable e) {
      return skipped(families, e.getMessage());
    }
    try (env) {
      return new BrokerScenarios(env, profile, comparison, selected).runAll(shareQueues());
    }
  }

  /**
   * Whether the filter accepts a concrete scenario of family {@code f}: every suffix a scenario
   * name can have after its family (in-flight level, rate and size), so that a filter naming one
   * exact scenario still opens its broker.
   */
  static boolean selectsAny(Predicate<String> selected, String family) {
    List<String> middles = new ArrayList<>(List.of(""));
    for (int n : BrokerScenarios.IN_FLIGHT) {
      middles.add("-inflight" + n);
    }
    for (int pct : BrokerScenarios.LOAD_PERCENT) {
      middles.add("-" + pct + "pct");
    }
    for (int size : Sizes.ALL) {
      for (String middle : middles) {
        if (selected.test(family + middle + "-" + Sizes.label(size))) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<Row> skipped(List<String> families, String reason) {
    List<Row> rows = new ArrayList<>();
    for (String f : families) {
      rows.add(Row.skipped(f, reason));
    }
    return rows;
  }

  static boolean available(String className) {
    try {
      Class.forName(className, false, BrokerSuite.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
