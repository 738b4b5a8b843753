package dev.switchboard.messaging;

import java.time.Duration;

/**
 * A running consumer: a subscription of a group to a topic, a set of workers on a queue, or a
 * responder. Thread-safe.
 */
public interface Subscription extends AutoCloseable {
  String destination();

  String group();

  ConsumerState state();

  /** Stop fetching; messages stay in the broker. Handlers already running finish. */
  void pause();

  /** Undo {@link #pause()}. Does not override an open circuit breaker. */
  void resume();

  /**
   * Stop fetching, let running handlers finish and acknowledge them, give back messages that were
   * fetched but not started, then close. Never handles a message twice because of the shutdown.
   * Returns what happened, including what did not finish within {@code timeout}.
   */
  DrainReport drain(Duration timeout);

  /** Counters since the subscription started. */
  ConsumerStats stats();

  /** Closes at once; unsettled messages go back to the broker and are delivered again. */
  @Override
  void close();
}
