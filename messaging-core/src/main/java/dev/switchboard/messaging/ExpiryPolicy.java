package dev.switchboard.messaging;

/** What a consumer does with a message that arrives after its deadline. */
public enum ExpiryPolicy {
  /** Send it to the dead-letter queue with reason {@link FailureReason#EXPIRED}. The default. */
  DEAD_LETTER,
  /** Acknowledge it without handling; counted as expired. Responders always drop. */
  DROP
}
