package dev.switchboard.examples;

import dev.switchboard.messaging.Messaging;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated processes of one example: one {@link Messaging} each, on its own transport from the
 * backend, all reporting to one {@link Tally}. Closing the fleet closes them, last started first.
 */
final class Fleet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  private final Backend backend;
  private final UnaryOperator<Messaging.Builder> common;
  private final Tally tally = new Tally();
  private final List<Messaging> processes = new ArrayList<>();

  /**
   * @param common settings every process shares, typically the registered message types
   */
  Fleet(Backend backend, UnaryOperator<Messaging.Builder> common) {
    this.backend = backend;
    this.common = common;
  }

  /** Starts a process named {@code name}, which is also the source of its messages. */
  Messaging start(String name) {
    return start(name, UnaryOperator.identity());
  }

  /**
   * Starts a process like {@link #start(String)}, with settings of its own on top of the common
   * ones, such as a request policy only the client has.
   */
  synchronized Messaging start(String name, UnaryOperator<Messaging.Builder> own) {
    Messaging.Builder b =
        Messaging.builder().transport(backend.connect(name)).source(name).listener(tally);
    Messaging m = own.apply(common.apply(b)).build();
    processes.add(m);
    return m;
  }

  Tally tally() {
    return tally;
  }

  Backend backend() {
    return backend;
  }

  @Override
  public synchronized void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      try {
        processes.get(i).close();
      } catch (RuntimeException e) {
        LOG.warn("closing an example process failed; carrying on with the others", e);
      }
    }
    processes.clear();
  }
}
