package dev.switchboard.messaging.spi;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One group's dead-letter destination, as the redrive API needs it. The filtering, loop guard and
 * provenance rules live in the core; a store only reads and moves.
 */
public interface DeadLetterStore {
  /** Up to {@code limit} dead letters, oldest first, without removing them. */
  List<WireMessage> browse(int limit);

  /**
   * Walk the dead letters oldest first, at most {@code scanLimit} of them. For each, {@code decide}
   * returns the message to send back to the group's own input, or empty to leave it. A moved
   * message is published to the group only (never to other groups of the topic), confirmed, and
   * only then removed from the dead-letter destination.
   *
   * @return how many were moved
   */
  int move(int scanLimit, Function<WireMessage, Optional<WireMessage>> decide);

  /** How many dead letters are waiting, where the transport can tell cheaply; -1 otherwise. */
  default long count() {
    return -1;
  }
}
