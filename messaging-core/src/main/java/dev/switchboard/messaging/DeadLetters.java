package dev.switchboard.messaging;

import java.util.List;

/**
 * The dead-letter queue of one group on one destination. Obtain it from {@link
 * Messaging#deadLetters}. Thread-safe; each call talks to the broker.
 */
public interface DeadLetters {
  /** Up to {@code limit} dead letters, oldest first, without removing them. */
  List<DeadLetter> browse(int limit);

  /**
   * Sends matching dead letters back to the group they failed in, and to no other group. Each is
   * republished and confirmed before it is removed from the dead-letter queue.
   */
  Redrive.Result redrive(Redrive request);

  /** How many dead letters are waiting, or -1 when the transport cannot tell cheaply. */
  long count();
}
