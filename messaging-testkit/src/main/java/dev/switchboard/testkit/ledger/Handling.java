package dev.switchboard.testkit.ledger;

import java.util.Objects;

/**
 * One handling of one message, as a child recorded it.
 *
 * @param id the message id
 * @param attempt the attempt the toolkit reported, from 1
 * @param pid the process id of the child
 * @param outcome how the handling ended
 * @param startMicros when the handler was entered, in microseconds since the epoch (the wall clock,
 *     which every process on one machine shares)
 */
public record Handling(String id, int attempt, long pid, Outcome outcome, long startMicros) {
  /** How a handling ended. */
  public enum Outcome {
    /** The handler returned normally. */
    OK,
    /** It threw {@code RetryableException}. */
    RETRY,
    /** It threw {@code FatalMessageException}. */
    FATAL
  }

  public Handling {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(outcome, "outcome");
  }
}
