package dev.switchboard.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a share poll loop does about a failure of its consumer, and says so in the log under
 * the loop's label (destination and group).
 *
 * <p>A retriable error is tried again. A rejected login, missing rights, an invalid group id or a
 * broker without share groups cannot heal by retrying: the loop stops and reports itself failed.
 * Anything else (the consumer refusing to go on from a state it got into, an error nobody foresaw)
 * replaces the consumer, up to {@link #MAX_REPLACEMENTS} times within {@link #WINDOW}; one more
 * within that time stops the loop, so a failure that replacing does not cure ends as a clear report
 * rather than a loop. Poll thread only; time comes in as an argument.
 */
final class ShareFailures {
  private static final Logger LOG = LoggerFactory.getLogger(ShareLoop.class);

  /** How often the consumer may be replaced within {@link #WINDOW}. */
  static final int MAX_REPLACEMENTS = 3;

  static final Duration WINDOW = Duration.ofMinutes(1);

  /** What the loop does next. */
  enum Verdict {
    /** Go on with the same consumer. */
    RETRY,
    /** Close the consumer, lose what it held, and go on with a new one. */
    REPLACE,
    /** Stop the loop; it reports itself failed. */
    STOP
  }

  private final String label;
  private final ArrayDeque<Long> replacements = new ArrayDeque<>();

  ShareFailures(String label) {
    this.label = label;
  }

  /** Classifies {@code e}, logs it, and counts a replacement when it decides on one. */
  Verdict onFailure(RuntimeException e, long nowNanos, int heldRecords) {
    if (e instanceof RetriableException) {
      LOG.warn("Kafka share poll of {} failed and is retried: {}", label, e.toString(), e);
      return Verdict.RETRY;
    }
    if (e instanceof AuthenticationException
        || e instanceof AuthorizationException
        || e instanceof InvalidGroupIdException
        || e instanceof UnsupportedVersionException) {
      LOG.error(
          "Kafka share consumer of {} failed and stops; check the broker (share groups must be"
              + " enabled) and the group's ACLs, then restart the consumer",
          label,
          e);
      return Verdict.STOP;
    }
    while (!replacements.isEmpty() && nowNanos - replacements.peekFirst() > WINDOW.toNanos()) {
      replacements.pollFirst();
    }
    if (replacements.size() >= MAX_REPLACEMENTS) {
      LOG.error(
          "Kafka share consumer of {} failed again after {} replacements within {} and stops; its"
              + " unsettled records go back to the broker. Check the broker, then restart the"
              + " consumer",
          label,
          replacements.size(),
          WINDOW,
          e);
      return Verdict.STOP;
    }
    replacements.addLast(nowNanos);
    LOG.error(
        "Kafka share consumer of {} failed and is replaced; the {} records it held go back to the"
            + " broker and are delivered again",
        label,
        heldRecords,
        e);
    return Verdict.REPLACE;
  }
}
